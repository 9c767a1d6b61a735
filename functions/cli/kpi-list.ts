/**
 * What `servicepulse kpis` shows: the catalog with the targets in effect for this configuration
 * (resolved as the digest resolves them, core/targets.ts: config over catalog) and which way is
 * better, in words rather than the catalog's min/max direction codes.
 */
import { CATALOG, type Direction, type Grain, type KpiDefinition } from '../core/catalog.ts';
import type { Config } from '../core/config.ts';
import { type ResolvedTarget, resolveTarget, warnSide } from '../core/targets.ts';

export type Better = 'higher' | 'lower' | 'range' | 'info';

const BETTER: Record<Direction, Better> = { min: 'lower', max: 'higher', range: 'range', info: 'info' };

const BETTER_TEXT: Record<Better, string> = {
  higher: 'higher is better',
  lower: 'lower is better',
  range: 'inside the range',
  info: 'for information',
};

/** A catalog entry as `kpis --format json` prints it: every catalog field, plus what is in effect. */
export type KpiListing = KpiDefinition & {
  better: Better;
  /** The whole-centre target per grain after configuration (null: none applies). */
  targetsInEffect: Record<Grain, ResolvedTarget | null>;
};

export function kpiListing(config: Config): KpiListing[] {
  return CATALOG.map((k) => ({
    ...k,
    better: BETTER[k.direction],
    targetsInEffect: {
      day: k.grains.includes('day') ? (resolveTarget(k, 'day', 'all', 'all', config.targets) ?? null) : null,
      month: k.grains.includes('month')
        ? (resolveTarget(k, 'month', 'all', 'all', config.targets) ?? null)
        : null,
    },
  }));
}

/** "≥ 80 (warn < 85)", "20 – 60", "≤ 5 (warn > 4), config"; "-" when no target applies. */
export function targetText(k: KpiListing, grain: Grain): string {
  const t = k.targetsInEffect[grain];
  if (!t) return '-';
  let s = '-';
  if (t.min !== undefined && t.max !== undefined) s = `${t.min} – ${t.max}`;
  else if (t.min !== undefined) s = `≥ ${t.min}`;
  else if (t.max !== undefined) s = `≤ ${t.max}`;
  const side = warnSide(k.direction, t);
  if (side) s += ` (warn ${side === 'low' ? '<' : '>'} ${t.warn})`;
  if (t.consecutive !== undefined && t.consecutive > 1) s += ` ×${t.consecutive}`;
  return t.source === 'catalog' ? s : `${s}, config`;
}

export const KPI_TABLE_HEADER = [
  'kpi_id',
  'family',
  'name',
  'unit',
  'better',
  'target day',
  'target month',
  'grains',
] as const;

export function kpiTableRows(list: readonly KpiListing[]): string[][] {
  return list.map((k) => [
    k.id,
    k.family,
    k.names.en,
    k.unit,
    BETTER_TEXT[k.better],
    targetText(k, 'day'),
    targetText(k, 'month'),
    k.grains.join(','),
  ]);
}
