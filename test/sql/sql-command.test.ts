/**
 * `servicepulse sql`: the statements a run would execute, printed as `;`-terminated SQL. The Athena
 * output must pass the Trino guard statement by statement; the DuckDB output adds the compatibility
 * preamble (SET, CREATE MACRO), DuckDB-only by design, before the same statements. Bad usage exits 2
 * with one line on stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPAT_MACROS } from '../../functions/adapters/duckdb.ts';
import { FAMILIES, kpisOfFamily } from '../../functions/core/catalog.ts';
import { checkStatement, formatFindings } from '../support/trino-guard.ts';

const REPO = resolve(import.meta.dirname, '..', '..');
let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'sp-sql-'));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

function servicepulse(...args: string[]) {
  const env = { ...process.env };
  delete env.SERVICEPULSE_HOME;
  delete env.SERVICEPULSE_DEBUG;
  const r = spawnSync(process.execPath, ['bin/servicepulse.mjs', '--home', home, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The output's statements: each ends with `;` at the end of a line, before a blank line or the end. */
function statements(output: string): string[] {
  expect(output.trimEnd().endsWith(';')).toBe(true);
  return output
    .trimEnd()
    .split(/;\n\n/)
    .map((s) => s.replace(/;$/, '').trim());
}

/** A statement without its leading `--` comment lines. */
function body(statement: string): string {
  return statement
    .split('\n')
    .filter((l) => !l.startsWith('--'))
    .join('\n')
    .trim();
}

const AS_OF = ['--as-of', '2024-03-21T06:00:00Z'];

describe('servicepulse sql', () => {
  it.each([
    ['day', '2024-03-20'],
    ['month', '2024-03-20'],
  ] as const)(
    '--grain %s --date %s prints one MERGE per family, each passing the Trino guard',
    (grain, date) => {
      // Prepare
      const families = FAMILIES.filter((f) => kpisOfFamily(f, grain).length > 0);
      // Act
      const r = servicepulse('sql', '--grain', grain, '--date', date, ...AS_OF);
      // Assess
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const parts = statements(r.stdout);
      expect(parts.map((p) => p.split('\n')[0]!.replace(/^-- (\w+):.*$/, '$1'))).toEqual(families);
      for (const part of parts) {
        expect(body(part)).toMatch(/^MERGE INTO servicepulse_results\.kpi_results AS t\b/);
        const findings = checkStatement(body(part));
        expect(findings, formatFindings(findings, `${part.split('\n')[0]} `)).toEqual([]);
      }
    },
  );

  it('--engine duckdb prints the compatibility preamble, then the same statements on local schemas', () => {
    // Prepare
    const families = FAMILIES.filter((f) => kpisOfFamily(f, 'day').length > 0);
    // Act
    const r = servicepulse('sql', '--grain', 'day', '--date', '2024-03-20', '--engine', 'duckdb', ...AS_OF);
    // Assess
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const parts = statements(r.stdout).map(body);
    const preamble = parts.filter((p) => /^(SET|CREATE OR REPLACE MACRO)\b/.test(p));
    const merges = parts.filter((p) => p.startsWith('MERGE'));
    expect(preamble).toEqual(["SET TimeZone = 'UTC'", ...COMPAT_MACROS.map((m) => m.sql)]);
    expect(merges).toHaveLength(families.length);
    expect(parts).toHaveLength(preamble.length + merges.length);
    for (const merge of merges) {
      expect(merge).toMatch(/^MERGE INTO results\.kpi_results AS t\b/);
      expect(merge).toContain('FROM lake.');
      const findings = checkStatement(merge);
      expect(findings, formatFindings(findings)).toEqual([]);
    }
  });

  it.each([
    ['--grain week', ['--grain', 'week', '--date', '2024-03-20'], '--grain must be day or month'],
    ['--date 2024-13-01', ['--grain', 'day', '--date', '2024-13-01'], '--date needs a date as YYYY-MM-DD'],
    ['--engine sqlite', ['--grain', 'day', '--date', '2024-03-20', '--engine', 'sqlite'], '--engine must be'],
  ])('bad usage (%s) exits 2 with one line on stderr and no stack trace', (_, args, message) => {
    // Act
    const r = servicepulse('sql', ...args);
    // Assess
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
