/**
 * The digest HTML in a real browser engine (headless Chromium, its plain CLI): for en (ltr) and fa
 * (rtl), at 360, 600 and 800 px, nothing is wider than the viewport, the card stops at 600 px, the
 * chart PNGs load and the direction is right. The outbox .html is framed at the width by a page
 * whose script writes the measurements into its <title>; `--dump-dom` prints them.
 *
 * Needs /usr/bin/chromium (CI installs it: see .ci/run); skipped with a message when absent.
 * With SERVICEPULSE_SCREENSHOTS=1 it also (re)writes docs/digest-<lang>.png for all five languages.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSystemStore } from '../../functions/adapters/filesystem.ts';
import { OutboxDelivery } from '../../functions/adapters/outbox.ts';
import { LANGUAGES, type Lang } from '../../functions/core/config.ts';
import { composeDigest, digestName, renderCharts } from '../../functions/core/digest/message.ts';
import { buildMime } from '../../functions/core/digest/mime.ts';
import { FIXTURE_AS_OF, fixtureConfig, fixtureModel, SURVEYS_GAP } from '../support/digest-fixture.ts';

const run = promisify(execFile);
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const SCREENSHOTS = process.env.SERVICEPULSE_SCREENSHOTS === '1';
if (!CHROMIUM) {
  console.warn(
    'test/e2e/digest-render.test.ts skipped: /usr/bin/chromium is not installed (apt-get install -y chromium)',
  );
}

/**
 * A page that shows the digest in an iframe of the given width (headless Chromium's window is at
 * least 500 px wide, so narrower layouts are measured in a frame) and writes the measurements of
 * the framed document into its own <title>.
 */
function measuringPage(digestFile: string, width: number): string {
  return `<!DOCTYPE html><html><head><title>pending</title></head><body style="margin:0">
<iframe id="f" src="${digestFile}" style="width:${width}px;height:4000px;border:0;display:block"></iframe>
<script>
addEventListener('load', function () {
  var w = document.getElementById('f').contentWindow;
  var d = w.document;
  var maxRight = 0;
  d.querySelectorAll('body *').forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > maxRight) maxRight = r.right;
  });
  var card = d.querySelectorAll('table')[1].getBoundingClientRect();
  var images = [].slice.call(d.images).map(function (i) { return i.complete ? i.naturalWidth : -1; });
  document.title = JSON.stringify({
    viewport: w.innerWidth,
    scrollWidth: d.documentElement.scrollWidth,
    maxRight: maxRight,
    cardWidth: card.width,
    cardLeft: card.left,
    images: images,
    height: d.documentElement.scrollHeight,
    dir: w.getComputedStyle(d.body).direction
  });
});
</script></body></html>`;
}

interface Measure {
  viewport: number;
  scrollWidth: number;
  maxRight: number;
  cardWidth: number;
  cardLeft: number;
  images: number[];
  height: number;
  dir: string;
}

let dir: string;
const pages = new Map<Lang, string>();

function chromiumArgs(width: number, height: number): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    `--user-data-dir=${join(dir, 'profile')}`,
    `--window-size=${width},${height}`,
  ];
}

async function measure(lang: Lang, width: number): Promise<Measure> {
  const page = pages.get(lang)!;
  const wrapper = join(dir, 'outbox', `measure-${lang}-${width}.html`);
  await writeFile(wrapper, measuringPage(basename(page), width));
  const { stdout } = await run(
    CHROMIUM!,
    [
      ...chromiumArgs(Math.max(width, 800), 1000),
      '--allow-file-access-from-files',
      '--virtual-time-budget=5000',
      '--dump-dom',
      pathToFileURL(wrapper).href,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const title = /<title>([\s\S]*?)<\/title>/.exec(stdout)?.[1];
  if (!title?.startsWith('{')) throw new Error(`no measurements in the page title: ${title}`);
  return JSON.parse(title.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as Measure;
}

describe.skipIf(!CHROMIUM)('the digest in headless Chromium', () => {
  beforeAll(async () => {
    // Prepare: every language's digest filed in an outbox, plus a measuring copy of its .html
    dir = await mkdtemp(join(tmpdir(), 'sp-digest-e2e-'));
    const config = fixtureConfig();
    const model = fixtureModel(config, [SURVEYS_GAP]);
    const charts = renderCharts(model);
    const outbox = new OutboxDelivery(new FileSystemStore(dir));
    for (const lang of LANGUAGES) {
      const message = composeDigest(model, {
        lang,
        from: config.digest.from,
        to: ['ceo@example.com'],
        charts,
      });
      const raw = await buildMime(message, { date: FIXTURE_AS_OF, messageId: `e2e-${lang}@example.com` });
      await outbox.deliver(message, raw);
      pages.set(lang, join(dir, 'outbox', `${digestName(model, lang)}.html`));
    }
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe.each(LANGUAGES)('%s', (lang) => {
    it.each([360, 600])('fits a %d px wide window without horizontal overflow', async (width) => {
      // Act
      const m = await measure(lang, width);
      // Assess
      expect(m.viewport).toBe(width);
      expect(m.scrollWidth).toBeLessThanOrEqual(width);
      expect(m.maxRight).toBeLessThanOrEqual(width + 0.5);
      expect(m.dir).toBe(lang === 'fa' || lang === 'ar' ? 'rtl' : 'ltr');
      expect(m.images).toHaveLength(3);
      for (const w of m.images) expect(w).toBe(480);
    });

    it('stops at 600 px on a wide window, centred', async () => {
      // Act
      const m = await measure(lang, 800);
      // Assess
      expect(m.cardWidth).toBe(600);
      expect(m.cardLeft).toBe(100);
    });
  });

  it.skipIf(!SCREENSHOTS)('writes docs/digest-<lang>.png (600 px wide)', async () => {
    for (const lang of LANGUAGES) {
      // Act
      const out = resolve('docs', `digest-${lang}.png`);
      await run(CHROMIUM!, [
        ...chromiumArgs(600, 1500),
        `--screenshot=${out}`,
        pathToFileURL(pages.get(lang)!).href,
      ]);
      // Assess
      expect((await stat(out)).size).toBeGreaterThan(10_000);
    }
  });
});
