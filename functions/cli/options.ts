/** Parsing of the option values several commands share; a bad value is a UsageError (exit code 2). */
import type { Grain } from '../core/catalog.ts';
import { UsageError } from './context.ts';

export function parseGrain(g: string): Grain {
  if (g !== 'day' && g !== 'month') throw new UsageError(`--grain must be day or month; got "${g}"`);
  return g;
}

export function parseAsOf(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms) || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(v)) {
    throw new UsageError(
      `--as-of needs an ISO-8601 instant with an offset, e.g. 2024-05-01T06:00:00Z; got "${v}"`,
    );
  }
  return new Date(ms).toISOString();
}
