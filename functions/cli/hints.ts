/**
 * The hints a CLI error gives so the user knows what to do next: the closest known name to a
 * mistyped one (the check that a home has anything to compute on is in context.ts).
 */
import { distance } from 'fastest-levenshtein';
import { UsageError } from './context.ts';

/** The known name nearest to `name` by edit distance (the first in `known` on a tie). */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

/** Checks a KPI id against the catalog: unknown is bad usage, with the nearest id as a suggestion. */
export function checkKpiId(id: string, known: readonly string[]): string {
  if (known.includes(id)) return id;
  const near = closest(id, known);
  throw new UsageError(
    `unknown KPI '${id}'${near ? ` (did you mean '${near}'?)` : ''}: \`servicepulse kpis\` lists them`,
  );
}
