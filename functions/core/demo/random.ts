/**
 * The one seeded random source of the project's generated data: the demo's exports
 * (generate.ts) and both benchmarks' inputs (bench/) draw from it, so "realistic" means the same
 * thing everywhere and every generated file is reproducible from its seed.
 */
import { startOfLocalDay } from '../time.ts';

/** mulberry32: a tiny, well-known seeded PRNG; the demo must be reproducible, not cryptographic. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
    exp: (mean: number) => -Math.log(1 - next()) * mean,
    /** Log-normal with the given median and spread. */
    logn: (median: number, sigma: number) => {
      const u = 1 - next();
      const v = next();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return median * Math.exp(sigma * z);
    },
    weighted: <T>(items: readonly (readonly [T, number])[]): T => {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [x, w] of items) {
        r -= w;
        if (r <= 0) return x;
      }
      return items.at(-1)![0];
    },
  };
}
export type Rng = ReturnType<typeof rng>;

// Office-hours arrival curve (local hour → relative weight).
export const HOURLY = [
  0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 3.2, 5.6, 6.4, 6.1, 4.8, 5.2, 5.9, 5.5, 4.6, 3.4, 2.2, 1.6, 1.2,
  0.9, 0.6, 0.4,
];

const HOURLY_WEIGHTS = HOURLY.map((w, h) => [h, w] as const);

/**
 * A random instant of the local day that starts at `dayStart` (epoch ms), following the
 * office-hours curve: an hour by weight, then a uniform instant within it. With `dayEnd`, an
 * instant past the day's end (a 23-hour day at a DST change) is held to its last millisecond.
 */
export function arrivalBetween(r: Rng, dayStart: number, dayEnd?: number): number {
  const hour = r.weighted(HOURLY_WEIGHTS);
  const t = dayStart + hour * 3_600_000 + Math.floor(r.next() * 3_600_000);
  return dayEnd === undefined ? t : Math.min(dayEnd - 1, t);
}

/** A random instant on local day `day` following the office-hours curve. */
export function arrival(r: Rng, day: string, tz: string): number {
  return arrivalBetween(r, startOfLocalDay(day, tz));
}
