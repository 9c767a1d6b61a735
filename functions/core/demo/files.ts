/**
 * The demo's generated rows as landing files in the generic format: calls and tickets one CSV
 * per month (columns in the contract's order), an older tickets snapshot, and one file for each
 * other entity. The last tickets month carries three broken rows, as real exports do.
 */
import { type Entity, entityColumns } from '../contracts.ts';
import { localDate } from '../time.ts';
import type { Row } from './world.ts';

const contractColumnNames = (entity: Entity) => entityColumns(entity).map((c) => c.name);

function csv(rows: readonly Row[], columns: readonly string[]): string {
  const cell = (v: unknown) => {
    if (v === undefined || v === null) return '';
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${columns.join(',')}\r\n${rows.map((r) => columns.map((c) => cell(r[c])).join(',')).join('\r\n')}\r\n`;
}

function ndjson(rows: readonly Row[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

export interface DemoFile {
  /** Path relative to the landing folder, e.g. `generic/calls/calls-2024-05.csv`. */
  path: string;
  content: string;
  entity: string;
  source: 'generic';
  rows: number;
}

export interface DemoRows {
  customers: Row[];
  calls: Row[];
  tickets: Row[];
  oldSnapshots: Row[];
  surveys: Row[];
  costs: Row[];
  plans: Row[];
  followups: Row[];
}

function byMonth(rows: readonly Row[], field: string, tz: string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const v = row[field] as string;
    const m = /^\d{4}-\d{2}$/.test(v) ? v : localDate(Date.parse(v), tz).slice(0, 7);
    if (!groups.has(m)) groups.set(m, []);
    groups.get(m)!.push(row);
  }
  return groups;
}

const file = (path: string, entity: Entity, content: string, rows: number): DemoFile => ({
  path,
  content,
  entity,
  source: 'generic',
  rows,
});

/** The tickets files: the early snapshot, then one per month (the last with three broken rows). */
function ticketFiles(t: DemoRows, tz: string): DemoFile[] {
  const ticketCols = Object.keys(t.tickets[0] ?? { ticket_id: '' });
  const files = [
    file(
      'generic/tickets/tickets-early-snapshot.csv',
      'tickets',
      csv(t.oldSnapshots, ticketCols),
      t.oldSnapshots.length,
    ),
  ];
  const ticketMonths = [...byMonth(t.tickets, 'created_at', tz)];
  ticketMonths.forEach(([m, rows], i) => {
    const broken =
      i === ticketMonths.length - 1
        ? [
            { ...rows[0], ticket_id: `${rows[0]!.ticket_id}-X1`, channel: 'fax' },
            { ...rows[0], ticket_id: `${rows[0]!.ticket_id}-X2`, created_at: '2024-02-30T10:00:00Z' },
            { ...rows[0], ticket_id: '', status: 'solved', resolved_at: '', closed_at: '' },
          ]
        : [];
    const all = [...rows, ...broken];
    files.push(file(`generic/tickets/tickets-${m}.csv`, 'tickets', csv(all, ticketCols), all.length));
  });
  return files;
}

export function demoFiles(t: DemoRows, tz: string): DemoFile[] {
  // Column order follows the contract, read off its zod schema (contracts.ts), like the lake's.
  const callCols = contractColumnNames('calls');
  const callFiles = [...byMonth(t.calls, 'started_at', tz)].map(([m, rows]) =>
    file(`generic/calls/calls-${m}.csv`, 'calls', csv(rows, callCols), rows.length),
  );
  return [
    ...callFiles,
    ...ticketFiles(t, tz),
    file('generic/surveys/surveys.ndjson', 'surveys', ndjson(t.surveys), t.surveys.length),
    file(
      'generic/customers/customers.csv',
      'customers',
      csv(t.customers, Object.keys(t.customers[0]!)),
      t.customers.length,
    ),
    file('generic/costs/costs.csv', 'costs', csv(t.costs, contractColumnNames('costs')), t.costs.length),
    file('generic/plans/plans.csv', 'plans', csv(t.plans, contractColumnNames('plans')), t.plans.length),
    file('generic/followups/followups.ndjson', 'followups', ndjson(t.followups), t.followups.length),
  ];
}
