/**
 * What every entity generator of the demo shares: the random source, the period, the customers
 * (generated first, since every other entity refers to them) and the running id counters.
 */
import { addDays, startOfLocalDay } from '../time.ts';
import type { Rng } from './random.ts';

export type Row = Record<string, unknown>;

export const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export interface DemoWorld {
  r: Rng;
  scale: number;
  tz: string;
  endDate: string;
  /** The instant the export is taken: the local midnight after `endDate`. */
  now: number;
  keyAccounts: ReadonlySet<string>;
  /** A customer for a contact: key accounts are over-represented (30 % of draws). */
  customerOf: () => string;
  /** Running numbers of the generated ids, shared by all days. */
  next: { call: number; ticket: number; survey: number; followup: number };
}

/** One generated day: whether it is a working day, its load factor and the late-range stress. */
export interface DemoDay {
  day: string;
  working: boolean;
  load: number;
  stress: number;
}

/**
 * The customers snapshot (as of `endDate`) and the world built around it. Draws come first in the
 * demo's random sequence, so the customers do not depend on anything generated later.
 */
export function createWorld(
  r: Rng,
  o: { scale: number; tz: string; first: string; endDate: string },
): { world: DemoWorld; customers: Row[] } {
  const { scale, tz, first, endDate } = o;
  const customers: Row[] = [];
  const customerIds: string[] = [];
  const keyAccounts = new Set<string>();
  const firstDayStart = startOfLocalDay(first, tz);
  const now = startOfLocalDay(addDays(endDate, 1), tz);
  const nCustomers = Math.round(1500 * scale);
  for (let i = 1; i <= nCustomers; i++) {
    const id = `C${String(i).padStart(5, '0')}`;
    const created = firstDayStart - Math.floor(r.next() * 720) * 86_400_000 + r.int(0, 86_399) * 1000;
    const key = r.chance(0.05);
    if (key) keyAccounts.add(id);
    const churned = r.chance(0.08) ? created + Math.floor(r.exp(400)) * 86_400_000 : undefined;
    const lastActive = Math.min(
      churned ?? Number.POSITIVE_INFINITY,
      startOfLocalDay(endDate, tz) - Math.floor(r.exp(35)) * 86_400_000,
    );
    customers.push({
      customer_id: id,
      created_at: iso(created),
      churned_at: churned !== undefined && churned < now ? iso(churned) : '',
      last_active_at: lastActive > created ? iso(lastActive) : '',
      key_account: key ? 'yes' : 'no',
      revenue_to_date: (Math.round(r.logn(key ? 90_000_000 : 6_000_000, 0.8) / 1000) * 1000).toFixed(0),
      updated_at: iso(startOfLocalDay(endDate, tz)),
    });
    customerIds.push(id);
  }
  const customerOf = () =>
    r.chance(0.3) ? (r.pick([...keyAccounts]) ?? r.pick(customerIds)) : r.pick(customerIds);
  const next = { call: 0, ticket: 0, survey: 0, followup: 0 };
  return { world: { r, scale, tz, endDate, now, keyAccounts, customerOf, next }, customers };
}
