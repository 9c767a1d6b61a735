/**
 * The command line as a user meets it: exit codes, one-line errors without stack traces, the
 * ingest report that always adds up.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { kpisCommand } from '../../functions/cli/commands/kpis.ts';
import { UserError } from '../../functions/cli/context.ts';

const home = mkdtempSync(join(tmpdir(), 'sp-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function sp(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/servicepulse.mjs', '--home', home, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: '1', SERVICEPULSE_DEBUG: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('bad usage exits 2 with one line and no stack trace', () => {
  it.each([
    [['frobnicate']],
    [['run', '--from', '2024-01-01', '--to', '2024-01-02']],
    [['run', '--grain', 'week', '--from', '2024-01-01', '--to', '2024-01-02']],
    [['run', '--grain', 'day', '--from', '2024-02-30', '--to', '2024-03-01']],
    [['run', '--grain', 'day', '--from', '2024-03-02', '--to', '2024-03-01']],
    [['ingest', '--source', 'salesforce', 'x.csv']],
    [['ingest', '--source', 'generic', '--entity', 'invoices', 'x.csv']],
    [['results', '--format', 'xml']],
    [['demo', '--days', 'many']],
  ])('servicepulse %j', (args) => {
    // Act
    const r = sp(...args);
    // Assess
    expect(r.code).toBe(2);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.err.trim().length).toBeGreaterThan(0);
  });
});

describe('failures the user must fix exit 1 with a one-line reason', () => {
  it('names the config key that is wrong', () => {
    // Prepare
    const cfg = join(home, 'bad.yaml');
    writeFileSync(cfg, 'timezone: Asia/Tehrn\n');
    // Act
    const run = sp('--config', cfg, 'run', '--grain', 'day', '--from', '2024-01-01', '--to', '2024-01-01');
    // Assess
    expect(run.code).toBe(1);
    expect(run.err.trim().split('\n')).toHaveLength(1);
    expect(run.err).toMatch(/timezone: not an IANA time zone/);
  });

  it('reports a missing input file', () => {
    const r = sp('ingest', '--source', 'generic', '--entity', 'calls', join(home, 'nope.csv'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no such file or folder/);
  });
});

describe('ingest', () => {
  it('reads good and bad files, quarantines bad rows, fails only the unreadable file, and adds up', () => {
    // Prepare: a calls CSV with one bad row, and a file that is not gzip although it says so.
    const good = join(home, 'calls-may.csv');
    writeFileSync(
      good,
      [
        'call_id,direction,started_at,ended_at,outcome,answered_at',
        'c1,inbound,2024-05-01T08:00:00Z,2024-05-01T08:05:00Z,answered,2024-05-01T08:00:10Z',
        'c2,inbound,2024-05-01T09:00:00Z,2024-05-01T08:00:00Z,abandoned,',
        'c3,outbound,2024-05-01T10:00:00Z,2024-05-01T10:01:00Z,no_answer,',
      ].join('\n'),
    );
    const bad = join(home, 'calls-june.csv.gz');
    writeFileSync(bad, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03]));
    // Act
    const r = sp('ingest', '--source', 'generic', '--entity', 'calls', good, bad);
    // Assess
    expect(r.code).toBe(1);
    const line = r.out.split('\n').find((l) => l.includes('calls-may.csv'));
    expect(line).toMatch(/calls\s+3\s+2\s+1/);
    expect(r.out).toMatch(/calls-june\.csv\.gz.*FAILED: not valid gzip/);
    expect(r.err).toMatch(/calls-june\.csv\.gz: not valid gzip.*; fix it and ingest it again/);
  });

  it('changes nothing when the same file is ingested again', () => {
    // Prepare
    const f = join(home, 'surveys.ndjson');
    writeFileSync(
      f,
      '{"response_id":"s1","survey":"csat","score":5,"responded_at":"2024-05-01T10:00:00Z"}\n',
    );
    // Act
    sp('ingest', '--source', 'generic', '--entity', 'surveys', f);
    sp('ingest', '--source', 'generic', '--entity', 'surveys', f);
    sp(
      'run',
      '--grain',
      'day',
      '--from',
      '2024-05-01',
      '--to',
      '2024-05-01',
      '--as-of',
      '2024-06-01T00:00:00Z',
    );
    const out = sp('results', '--kpi', 'csat_pct', '--grain', 'day');
    // Assess: one response, counted once.
    expect(out.code).toBe(0);
    const [header, row] = out.out.trim().split('\n');
    expect(header).toBe(
      'kpi_id,grain,period_start,period_end,dimension,dimension_value,value,numerator,denominator,sample_size,computed_at,run_id',
    );
    expect(row).toMatch(/^csat_pct,day,2024-05-01,2024-05-01,all,all,100,1,1,1,/);
  });
});

describe('kpis', () => {
  it('lists all 48 KPIs, as a table and as JSON', () => {
    const t = sp('kpis');
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/48 KPIs/);
    const j = sp('kpis', '--format', 'json');
    const list = JSON.parse(j.out) as { id: string }[];
    expect(list).toHaveLength(48);
    expect(new Set(list.map((k) => k.id)).size).toBe(48);
  });
});

describe('messages that say what to do next', () => {
  const empty = join(home, 'empty-home');

  it.each([
    [['run', '--grain', 'day', '--from', '2024-01-01', '--to', '2024-01-01']],
    [['results']],
    [['digest', '--date', '2024-01-01']],
  ])('%j on a home with nothing ingested says to ingest or run the demo, exit 1', (args) => {
    // Act
    const r = spawnSync(process.execPath, ['bin/servicepulse.mjs', '--home', empty, ...args], {
      encoding: 'utf8',
      env: { ...process.env, CI: '1', SERVICEPULSE_DEBUG: '' },
    });
    // Assess: the sentence, not DuckDB's "IO Error: Cannot open file".
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`nothing ingested yet in ${empty}: run \`servicepulse ingest`);
    expect(r.stderr).toContain('`servicepulse demo`');
    expect(r.stderr).not.toMatch(/IO Error|Cannot open/);
  });

  it('results --kpi with an unknown id exits 2 and names the closest id', () => {
    // Act: "csat" is 4 edits from csat_pct, farther from every other id.
    const r = sp('results', '--kpi', 'csat');
    const typo = sp('results', '--kpi', 'abandonment_rate');
    // Assess
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^servicepulse: unknown KPI 'csat' \(did you mean 'csat_pct'\?\)/);
    expect(typo.code).toBe(2);
    expect(typo.err).toContain("did you mean 'abandonment_rate_pct'?");
  });

  it('kpis with a --config that does not exist fails as the other commands do', () => {
    // Prepare
    const missing = join(home, 'no-such.yaml');
    const run = sp(
      '--config',
      missing,
      'run',
      '--grain',
      'day',
      '--from',
      '2024-01-01',
      '--to',
      '2024-01-01',
    );
    // Act
    const kpis = () => kpisCommand({}, { home, config: missing });
    // Assess: the same one-line UserError (exit 1) as `run`.
    expect(run.code).toBe(1);
    expect(kpis).toThrow(UserError);
    expect(kpis).toThrow(run.err.trim().replace(/^servicepulse: /, ''));
    // And through the real command line (main.ts must pass the global options on).
    const spawned = sp('--config', missing, 'kpis');
    expect(spawned.code).toBe(1);
    expect(spawned.err.trim()).toBe(run.err.trim());
  });

  it('kpis shows the targets in effect and which way is better', () => {
    // Prepare: the config changes abandonment's target; service level keeps the catalog's.
    const cfg = join(home, 'targets.yaml');
    writeFileSync(cfg, 'targets:\n  abandonment_rate_pct: { max: 7, warn: 6 }\n');
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
    // Act
    try {
      kpisCommand({}, { home, config: cfg });
      kpisCommand({ format: 'json' }, { home, config: cfg });
    } finally {
      write.mockRestore();
    }
    // Assess
    const table = out.slice(0, -1).join('');
    const json = out.at(-1);
    const row = (id: string) => table.split('\n').find((l) => l.startsWith(`${id} `))!;
    expect(row('abandonment_rate_pct')).toMatch(
      /lower is better\s+≤ 7 \(warn > 6\), config\s+≤ 7 \(warn > 6\), config/,
    );
    expect(row('service_level_pct')).toMatch(/higher is better\s+≥ 80/);
    expect(row('tickets_created')).toMatch(/for information\s+-\s+-/);
    expect(table).not.toMatch(/\bmin\b|\bmax\b/);
    const list = JSON.parse(json!) as {
      id: string;
      direction: string;
      better: string;
      targetsInEffect: { day: unknown };
    }[];
    const ab = list.find((k) => k.id === 'abandonment_rate_pct')!;
    expect(ab.direction).toBe('min');
    expect(ab.better).toBe('lower');
    expect(ab.targetsInEffect.day).toEqual({ source: 'kpi', max: 7, warn: 6 });
  });
});
