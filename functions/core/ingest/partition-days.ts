/**
 * The `dt` partition of a row: the reporting zone's day of its entity's partition timestamp
 * (`ENTITY_KEYS[entity].partitionBy`; a cost's day, a plan's month's first day).
 */
import { ENTITY_KEYS, type Entity } from '../contracts.ts';
import { epochDayToIso, localEpochDay, startOfLocalDay, zoneOffsets } from '../time.ts';

const DAY_MS = 86_400_000;

/**
 * The day of a row, as a function. The instants of the last day seen are kept, so a row of the
 * same day (most rows: exports come in time order) costs two comparisons. Kept only for a day
 * without a clock change (the same offset at both ends, 24 hours long), where the instants
 * [from, to) all fall on that day.
 */
export function partitionDays(entity: Entity, zone: string): (row: Record<string, unknown>) => string {
  const field = ENTITY_KEYS[entity].partitionBy;
  if (entity === 'costs') return (row) => row[field] as string;
  if (entity === 'plans') return (row) => `${row[field] as string}-01`;
  let from = 0;
  let to = 0;
  let iso = '';
  return (row) => {
    const ms = row[field] as number;
    if (ms >= from && ms < to) return iso;
    const day = localEpochDay(ms, zone);
    iso = epochDayToIso(day);
    const start = startOfLocalDay(iso, zone);
    const offset = zoneOffsets(zone);
    const steady =
      offset.offsetMs(start) === offset.offsetMs(start + DAY_MS - 1) &&
      localEpochDay(start, zone) === day &&
      localEpochDay(start + DAY_MS - 1, zone) === day;
    from = steady ? start : 0;
    to = steady ? start + DAY_MS : 0;
    return iso;
  };
}
