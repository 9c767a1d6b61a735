/**
 * A small trend chart as PNG, for e-mail: Gmail shows neither SVG nor data: URIs, so each chart is
 * a PNG attached inline and referenced by Content-ID. Opaque RGB on white (no transparency: a
 * transparent PNG turns into dark-on-dark in clients' dark modes).
 *
 * Drawn at 2× density (480×120 pixels shown at 240×60 CSS px): the target's good band (light
 * green) with its bound lines, a dashed warning threshold, the series (gaps where a period has no
 * value) and the last point as a dot coloured by status. Pure pixel arithmetic on pngjs buffers,
 * anti-aliased by coverage; no fonts, no canvas.
 */
import { PNG } from 'pngjs';
import type { TargetRange } from '../config.ts';
import type { FlagStatus } from '../targets.ts';

export const CHART_CSS_WIDTH = 240;
export const CHART_CSS_HEIGHT = 60;
export const CHART_DENSITY = 2;

type Rgb = readonly [number, number, number];

export const CHART_COLORS = {
  background: [255, 255, 255],
  band: [226, 243, 231],
  bound: [128, 190, 146],
  warn: [224, 160, 0],
  line: [31, 78, 140],
  breach: [192, 57, 43],
  warnDot: [217, 142, 4],
  ok: [31, 78, 140],
  noData: [140, 148, 160],
} as const satisfies Record<string, Rgb>;

const DOT: Record<FlagStatus, Rgb> = {
  breach: CHART_COLORS.breach,
  warn: CHART_COLORS.warnDot,
  ok: CHART_COLORS.ok,
  no_data: CHART_COLORS.noData,
};

class Canvas {
  readonly data: Buffer;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      this.data[i * 4] = CHART_COLORS.background[0];
      this.data[i * 4 + 1] = CHART_COLORS.background[1];
      this.data[i * 4 + 2] = CHART_COLORS.background[2];
      this.data[i * 4 + 3] = 255;
    }
  }

  blend(x: number, y: number, c: Rgb, alpha: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || alpha <= 0) return;
    const a = Math.min(1, alpha);
    const i = (y * this.width + x) * 4;
    for (let k = 0; k < 3; k++) this.data[i + k] = Math.round(this.data[i + k]! * (1 - a) + c[k]! * a);
  }

  /** Rows y0..y1 (fractional edges partly covered), full width between x0 and x1. */
  fillRect(x0: number, x1: number, y0: number, y1: number, c: Rgb): void {
    const top = Math.max(0, Math.min(y0, y1));
    const bottom = Math.min(this.height, Math.max(y0, y1));
    for (let y = Math.floor(top); y < Math.ceil(bottom); y++) {
      const cover = Math.min(y + 1, bottom) - Math.max(y, top);
      for (let x = Math.max(0, Math.floor(x0)); x < Math.min(this.width, Math.ceil(x1)); x++)
        this.blend(x, y, c, cover);
    }
  }

  /** An anti-aliased segment of the given width (pixel centres at +0.5). */
  line(ax: number, ay: number, bx: number, by: number, width: number, c: Rgb): void {
    const half = width / 2;
    const minX = Math.floor(Math.min(ax, bx) - half - 1);
    const maxX = Math.ceil(Math.max(ax, bx) + half + 1);
    const minY = Math.floor(Math.min(ay, by) - half - 1);
    const maxY = Math.ceil(Math.max(ay, by) + half + 1);
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    for (let y = minY; y <= maxY; y++) {
      for (let x = minX; x <= maxX; x++) {
        const px = x + 0.5;
        const py = y + 0.5;
        const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
        const d = Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
        this.blend(x, y, c, half + 0.5 - d);
      }
    }
  }

  disc(cx: number, cy: number, r: number, c: Rgb): void {
    for (let y = Math.floor(cy - r - 1); y <= Math.ceil(cy + r + 1); y++) {
      for (let x = Math.floor(cx - r - 1); x <= Math.ceil(cx + r + 1); x++) {
        this.blend(x, y, c, r + 0.5 - Math.hypot(x + 0.5 - cx, y + 0.5 - cy));
      }
    }
  }

  png(): Uint8Array {
    const png = new PNG({ width: this.width, height: this.height });
    this.data.copy(png.data);
    return new Uint8Array(PNG.sync.write(png, { colorType: 2, inputColorType: 6, inputHasAlpha: true }));
  }
}

export interface TrendChartInput {
  /** Values oldest first; null where a period has no value. */
  values: readonly (number | null)[];
  target?: TargetRange;
  /** Colours the last point. */
  status: FlagStatus;
}

/** The y range shown: the values and the target bounds, with a margin. */
export function chartDomain(values: readonly (number | null)[], target?: TargetRange): [number, number] {
  const ys = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (target?.min !== undefined) ys.push(target.min);
  if (target?.max !== undefined) ys.push(target.max);
  if (target?.warn !== undefined) ys.push(target.warn);
  if (ys.length === 0) return [0, 1];
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  if (hi - lo < 1e-9) {
    const pad = Math.max(Math.abs(hi) * 0.1, 1);
    return [lo - pad, hi + pad];
  }
  const margin = (hi - lo) * 0.12;
  lo -= margin;
  hi += margin;
  return [lo, hi];
}

/** Renders the chart; the PNG is CHART_CSS_WIDTH × CHART_CSS_HEIGHT times CHART_DENSITY pixels. */
export function renderTrendChart(input: TrendChartInput): Uint8Array {
  const s = CHART_DENSITY;
  const W = CHART_CSS_WIDTH * s;
  const H = CHART_CSS_HEIGHT * s;
  const c = new Canvas(W, H);
  const pad = 7 * s;
  const [lo, hi] = chartDomain(input.values, input.target);
  const y = (v: number) => pad + (1 - (v - lo) / (hi - lo)) * (H - 2 * pad);
  const n = input.values.length;
  const x = (i: number) => (n <= 1 ? W / 2 : pad + (i * (W - 2 * pad)) / (n - 1));
  const t = input.target;

  // target band and bounds
  if (t && (t.min !== undefined || t.max !== undefined)) {
    const top = t.max !== undefined ? y(t.max) : 0;
    const bottom = t.min !== undefined ? y(t.min) : H;
    c.fillRect(0, W, top, bottom, CHART_COLORS.band);
    if (t.max !== undefined) c.line(0, top, W, top, s, CHART_COLORS.bound);
    if (t.min !== undefined) c.line(0, bottom, W, bottom, s, CHART_COLORS.bound);
  }
  if (t?.warn !== undefined) {
    const wy = y(t.warn);
    for (let x0 = 0; x0 < W; x0 += 8 * s) c.line(x0, wy, Math.min(W, x0 + 4 * s), wy, s, CHART_COLORS.warn);
  }

  // series: segments between consecutive values; isolated values as small dots
  const vals = input.values;
  for (let i = 0; i < n; i++) {
    const v = vals[i];
    if (v === null || v === undefined) continue;
    const next = vals[i + 1];
    if (next !== null && next !== undefined)
      c.line(x(i), y(v), x(i + 1), y(next), 1.5 * s, CHART_COLORS.line);
    const prev = vals[i - 1];
    if ((prev === null || prev === undefined) && (next === null || next === undefined)) {
      c.disc(x(i), y(v), 1.5 * s, CHART_COLORS.line);
    }
  }

  // the last point, ringed in white
  const last = vals[n - 1];
  if (last !== null && last !== undefined) {
    c.disc(x(n - 1), y(last), 4.5 * s, CHART_COLORS.background);
    c.disc(x(n - 1), y(last), 3.2 * s, DOT[input.status]);
  }
  return c.png();
}
