/**
 * Mixed scripts in a real browser engine (headless Chromium): an English digest whose teams have
 * Persian names and a Persian digest whose teams have Latin names. The test reads where Chromium
 * actually drew each word (Range rectangles in the laid-out page), not only the markup: in an
 * English line "Team پشتیبانی تهران 62.9%" the number must be drawn right of the Persian name
 * (without isolation it lands between "Team" and the name), and in a Persian line the Latin name
 * must sit between the label "تیم" and its number, with "و N مورد دیگر" last (leftmost).
 *
 * Needs /usr/bin/chromium (CI installs it); skipped with a message when absent.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lang } from '../../functions/core/config.ts';
import { composeDigest } from '../../functions/core/digest/message.ts';
import type { DigestModel, KpiLine } from '../../functions/core/digest/model.ts';
import { fixtureConfig, fixtureModel } from '../support/digest-fixture.ts';

const run = promisify(execFile);
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!CHROMIUM) {
  console.warn(
    'test/e2e/digest-bidi.test.ts skipped: /usr/bin/chromium is not installed (apt-get install -y chromium)',
  );
}

/** The fixture's first off-target card with a breakdown of three named teams and "and 2 more". */
function withTeams(names: readonly string[]): DigestModel {
  const model = fixtureModel(fixtureConfig());
  const first = model.offTarget[0]!;
  const breakdown: KpiLine[] = names.map((name, i) => ({
    ...first,
    dimension: 'team',
    dimensionValue: name,
    value: 50 + i + 0.9,
    breakdown: [],
    breakdownMore: 0,
  }));
  return { ...model, offTarget: [{ ...first, breakdown, breakdownMore: 2 }, ...model.offTarget.slice(1)] };
}

/** A script that writes the horizontal centre of each token's first drawn occurrence into <title>. */
function locatingScript(tokens: readonly string[], anchor: string): string {
  return `<script>
addEventListener('load', function () {
  var tokens = ${JSON.stringify(tokens)};
  var out = {};
  var root = document.body;
  var find = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (var f = find.nextNode(); f; f = find.nextNode()) {
    if (f.data.indexOf(${JSON.stringify(anchor)}) >= 0) { root = f.parentElement.closest('div,td,p'); break; }
  }
  var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (var n = walker.nextNode(); n; n = walker.nextNode()) {
    tokens.forEach(function (t) {
      var i = n.data.indexOf(t);
      if (i < 0 || out[t]) return;
      var r = document.createRange();
      r.setStart(n, i); r.setEnd(n, i + t.length);
      var b = r.getBoundingClientRect();
      out[t] = { x: b.left + b.width / 2, y: Math.round(b.top) };
    });
  }
  document.title = JSON.stringify(out);
});
</script>`;
}

let dir: string;

/** Each token after the one before it: on a lower line, or on the same line further in `dir`. */
function inReadingOrder(
  tokens: readonly string[],
  at: Record<string, { x: number; y: number }>,
  dir: 'ltr' | 'rtl',
): boolean {
  return tokens.every((t, i) => {
    if (i === 0) return true;
    const a = at[tokens[i - 1]!]!;
    const b = at[t]!;
    if (b.y !== a.y) return b.y > a.y;
    return dir === 'ltr' ? b.x > a.x : b.x < a.x;
  });
}

async function drawn(
  lang: Lang,
  model: DigestModel,
  tokens: readonly string[],
  anchor: string,
): Promise<Record<string, { x: number; y: number }>> {
  const message = composeDigest(model, {
    lang,
    from: 'kpi@example.com',
    to: ['ceo@example.com'],
    charts: new Map(),
  });
  const file = join(dir, `bidi-${lang}.html`);
  await writeFile(file, message.html.replace('</body>', `${locatingScript(tokens, anchor)}</body>`));
  const { stdout } = await run(
    CHROMIUM!,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      `--user-data-dir=${join(dir, 'profile')}`,
      '--window-size=800,3000',
      '--virtual-time-budget=3000',
      '--dump-dom',
      pathToFileURL(file).href,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const title = /<title>([\s\S]*?)<\/title>/.exec(stdout)?.[1] ?? '';
  return JSON.parse(title.replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
}

describe.skipIf(!CHROMIUM)('mixed scripts in headless Chromium', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sp-bidi-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('en digest, Persian team names: label, name, number, in that order left to right', async () => {
    // Arrange
    const model = withTeams(['پشتیبانی تهران', 'مرکز شیراز', 'Kuala Lumpur']);
    // Act
    const at = await drawn(
      'en',
      model,
      ['Team', 'پشتیبانی تهران', '50.9', 'مرکز شیراز', '51.9', 'and 2 more'],
      'پشتیبانی تهران',
    );
    // Assess: every token drawn, on one line, in reading order
    const order = ['Team', 'پشتیبانی تهران', '50.9', 'مرکز شیراز', '51.9', 'and 2 more'];
    for (const t of order) expect(at[t], t).toBeDefined();
    expect(inReadingOrder(order, at, 'ltr'), JSON.stringify(at)).toBe(true);
  });

  it('fa digest, Latin team names: label, name, number, "و ۲ مورد دیگر" in that order right to left', async () => {
    // Arrange
    const model = withTeams(['London desk', 'Kuala Lumpur', 'Berlin 2']);
    // Act
    const tokens = ['London desk', '۵۰٫۹', 'Kuala Lumpur', '۵۱٫۹', 'Berlin 2', '۵۲٫۹', 'مورد دیگر'];
    const at = await drawn('fa', model, tokens, 'London desk');
    // Assess
    for (const t of tokens) expect(at[t], t).toBeDefined();
    expect(inReadingOrder(tokens, at, 'rtl'), JSON.stringify(at)).toBe(true);
  });
});
