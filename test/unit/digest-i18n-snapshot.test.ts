/**
 * The plain-text digests of the demo, daily and monthly, in every language, against the
 * committed files under test/fixtures/digest/ (reviewed line by line when they change: update
 * with `npx vitest run test/unit/digest-i18n-snapshot.test.ts -u`, then read the diff).
 * The demo ends on a fixed day and the monthly digest has a fixed as-of, so the text is stable.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../functions/core/config.ts';

const home = mkdtempSync(join(tmpdir(), 'sp-digest-snap-'));

function cli(...args: string[]): void {
  const run = spawnSync(process.execPath, ['bin/servicepulse.mjs', '--home', home, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
  });
  if (run.status !== 0) throw new Error(`servicepulse ${args.join(' ')} failed:\n${run.stderr}`);
}

beforeAll(() => {
  cli('demo', '--days', '45', '--end-date', '2026-11-30');
  cli('digest', '--date', '2026-10-31', '--grain', 'month', '--as-of', '2026-11-01T00:00:00+03:30');
});

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('the demo digests as text', () => {
  for (const lang of LANGUAGES) {
    for (const name of [`2026-11-30-day-${lang}`, `2026-10-month-${lang}`]) {
      it(name, async () => {
        const text = readFileSync(join(home, 'outbox', `${name}.txt`), 'utf8');
        await expect(text).toMatchFileSnapshot(`../fixtures/digest/${name}.txt`);
      });
    }
  }
});
