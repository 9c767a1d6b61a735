/**
 * The seven input entities of the generic format (spec: shared/spec/contracts.md) as zod schemas.
 *
 * The zod object of an entity is the single source of truth: validation runs it, and the curated
 * table's column list and types (Parquet locally and in S3, the Glue tables in AWS, the DuckDB
 * views) are read off it through each field's `meta()` (see {@link entityColumns}).
 *
 * Values arrive as text (CSV) or JSON scalars (NDJSON, vendor mappings); every field coerces
 * either form. Empty strings are nulls. Timestamps become epoch milliseconds (UTC instants).
 */
import { z } from 'zod';
import { parseIsoInstant } from './time.ts';

export const ENTITIES = ['tickets', 'calls', 'surveys', 'customers', 'costs', 'plans', 'followups'] as const;
export type Entity = (typeof ENTITIES)[number];

export function isEntity(s: string): s is Entity {
  return (ENTITIES as readonly string[]).includes(s);
}

/** Physical column kinds of the curated lake; each maps to one Parquet, Glue and DuckDB type. */
export type ColumnKind = 'string' | 'timestamp' | 'date' | 'integer' | 'number' | 'boolean';

export interface ColumnMeta {
  kind: ColumnKind;
  required: boolean;
  /** Allowed values, for enumerations. */
  values?: readonly string[];
  description?: string;
}

export interface ContractContext {
  /** Zone of timestamps written without an offset. */
  sourceTimezone: string;
  /** The deployment's currency; a cost in another currency is quarantined. */
  currency?: string | undefined;
}

type Raw = unknown;

function blank(v: Raw): Raw {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  return v;
}

function scalarText(v: Raw): Raw {
  const b = blank(v);
  if (typeof b === 'number' || typeof b === 'bigint') return String(b);
  return b;
}

function withMeta<T extends z.ZodType>(schema: T, meta: ColumnMeta): T {
  return schema.meta(meta as unknown as Record<string, unknown>) as T;
}

type Opt<T extends z.ZodType, R extends boolean> = R extends true ? T : z.ZodOptional<T>;
/** An optional field: blank (empty text, null) becomes undefined *before* the field's own parsing. */
function optional<T extends z.ZodType, R extends boolean>(s: T, required: R): Opt<T, R> {
  return (required ? s : z.preprocess(blank, s.optional())) as unknown as Opt<T, R>;
}

// ── field builders ───────────────────────────────────────────────────────────
const text = <R extends boolean>(required: R) =>
  withMeta(
    optional(
      z.preprocess(
        scalarText,
        z.string({ error: (i) => (i.input === undefined ? 'required' : 'expected text') }),
      ),
      required,
    ),
    { kind: 'string', required },
  );

function oneOf<const V extends readonly [string, ...string[]], R extends boolean>(
  values: V,
  required: R,
  dflt?: V[number],
) {
  const inner = z.preprocess(
    (v) => {
      const b = blank(v);
      return typeof b === 'string' ? b.toLowerCase() : b;
    },
    z.enum(values, {
      error: (i) =>
        i.input === undefined ? 'required' : `expected one of ${values.join(', ')}; got "${String(i.input)}"`,
    }),
  );
  const s =
    dflt !== undefined
      ? z.preprocess(blank, inner.optional()).transform((x) => x ?? dflt)
      : optional(inner, required);
  return withMeta(s, { kind: 'string', required, values });
}

function timestamp<R extends boolean>(ctx: ContractContext, required: R) {
  const s = z.preprocess(
    blank,
    z
      .string({ error: (i) => (i.input === undefined ? 'required' : 'expected an ISO-8601 timestamp') })
      .transform((t, c) => {
        const ms = parseIsoInstant(t, ctx.sourceTimezone);
        if (ms === undefined) {
          c.addIssue({ code: 'custom', message: `not an ISO-8601 timestamp: "${t}"` });
          return z.NEVER;
        }
        return ms;
      }),
  );
  return withMeta(optional(s, required), { kind: 'timestamp', required });
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
function calendarDate<R extends boolean>(required: R) {
  const s = z.preprocess(
    blank,
    z
      .string({ error: (i) => (i.input === undefined ? 'required' : 'expected a date (YYYY-MM-DD)') })
      .refine((t) => {
        const m = DATE_RE.exec(t);
        if (!m) return false;
        const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
        return d.toISOString().slice(0, 10) === t;
      }, 'expected a date (YYYY-MM-DD)'),
  );
  return withMeta(optional(s, required), { kind: 'date', required });
}

function yearMonth<R extends boolean>(required: R) {
  const s = z.preprocess(
    blank,
    z
      .string({ error: 'expected a month (YYYY-MM)' })
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month (YYYY-MM)'),
  );
  return withMeta(optional(s, required), { kind: 'string', required });
}

function toNumber(v: Raw): Raw {
  const b = blank(v);
  if (typeof b === 'string') {
    const n = Number(b);
    return b !== '' && Number.isFinite(n) ? n : b;
  }
  return b;
}

function num<R extends boolean>(required: R, opts: { min?: number; gt?: number; integer?: boolean } = {}) {
  let n = z.number({
    error: (i) =>
      i.input === undefined
        ? 'required'
        : `expected ${opts.integer ? 'an integer' : 'a number'}; got "${String(i.input)}"`,
  });
  if (opts.integer) n = n.int({ error: 'expected an integer' });
  if (opts.min !== undefined) n = n.min(opts.min, { error: `must be ≥ ${opts.min}` });
  if (opts.gt !== undefined) n = n.gt(opts.gt, { error: `must be > ${opts.gt}` });
  return withMeta(optional(z.preprocess(toNumber, n), required), {
    kind: opts.integer ? 'integer' : 'number',
    required,
  });
}

const TRUE = new Set(['true', '1', 'yes', 'y', 't']);
const FALSE = new Set(['false', '0', 'no', 'n', 'f']);
function bool<R extends boolean>(required: R, dflt?: boolean) {
  const inner = z.preprocess(
    (v) => {
      const b = blank(v);
      if (typeof b === 'number') return b === 1 ? true : b === 0 ? false : b;
      if (typeof b === 'string') {
        const l = b.toLowerCase();
        return TRUE.has(l) ? true : FALSE.has(l) ? false : b;
      }
      return b;
    },
    z.boolean({
      error: (i) =>
        i.input === undefined ? 'required' : `expected true/false, 1/0 or yes/no; got "${String(i.input)}"`,
    }),
  );
  const s =
    dflt !== undefined
      ? z.preprocess(blank, inner.optional()).transform((x) => x ?? dflt)
      : optional(inner, required);
  return withMeta(s, { kind: 'boolean', required });
}

// ── consistency helpers ───────────────────────────────────────────────────────
type Ctx = z.RefinementCtx;
function notBefore(ctx: Ctx, row: Record<string, unknown>, field: string, anchor: string) {
  const v = row[field];
  const a = row[anchor];
  if (typeof v === 'number' && typeof a === 'number' && v < a) {
    ctx.addIssue({ code: 'custom', path: [field], message: `${field} is before ${anchor}` });
  }
}

export const SURVEY_SCALES = {
  csat: [1, 5],
  nps: [0, 10],
  ces: [1, 7],
  enps: [0, 10],
  collaboration: [1, 5],
} as const;

// ── the entities ──────────────────────────────────────────────────────────────
export function contractSchemas(ctx: ContractContext) {
  const ts = <R extends boolean>(required: R) => timestamp(ctx, required);

  const tickets = z
    .object({
      ticket_id: text(true),
      created_at: ts(true),
      updated_at: ts(false),
      channel: oneOf(['phone', 'email', 'chat', 'web', 'social', 'other'], true),
      type: oneOf(['request', 'complaint', 'incident', 'question', 'other'], false, 'request'),
      priority: oneOf(['low', 'normal', 'high', 'urgent'], false),
      status: oneOf(['new', 'open', 'pending', 'on_hold', 'solved', 'closed'], true),
      customer_id: text(true),
      agent_id: text(false),
      team: text(false),
      assigned_at: ts(false),
      first_response_at: ts(false),
      resolved_at: ts(false),
      closed_at: ts(false),
      due_at: ts(false),
      agent_messages: num(false, { integer: true, min: 0 }),
      customer_messages: num(false, { integer: true, min: 0 }),
      contacts: num(false, { integer: true, min: 1 }),
      handoffs: num(false, { integer: true, min: 0 }),
      escalated: bool(false),
      reopens: num(false, { integer: true, min: 0 }),
      incident_key: text(false),
    })
    .superRefine((r, c) => {
      for (const f of ['first_response_at', 'assigned_at', 'resolved_at', 'closed_at'] as const) {
        notBefore(c, r, f, 'created_at');
      }
      if (
        (r.status === 'solved' || r.status === 'closed') &&
        r.resolved_at === undefined &&
        r.closed_at === undefined
      ) {
        c.addIssue({
          code: 'custom',
          path: ['status'],
          message: `status ${r.status} needs resolved_at or closed_at`,
        });
      }
    });

  const calls = z
    .object({
      call_id: text(true),
      direction: oneOf(['inbound', 'outbound'], true),
      queue: text(false),
      agent_id: text(false),
      customer_id: text(false),
      started_at: ts(true),
      answered_at: ts(false),
      ended_at: ts(true),
      outcome: oneOf(['answered', 'abandoned', 'blocked', 'callback', 'voicemail', 'no_answer'], true),
      talk_seconds: num(false, { min: 0 }),
      hold_seconds: num(false, { min: 0 }),
      acw_seconds: num(false, { min: 0 }),
      transferred: bool(false),
      initial_call_id: text(false),
      cost: num(false, { min: 0 }),
    })
    .superRefine((row, c) => {
      const r = row as { started_at: number; ended_at: number; answered_at?: number; outcome: string };
      if (r.ended_at < r.started_at) {
        c.addIssue({ code: 'custom', path: ['ended_at'], message: 'ended_at is before started_at' });
      }
      if (r.answered_at !== undefined && (r.answered_at < r.started_at || r.answered_at > r.ended_at)) {
        c.addIssue({
          code: 'custom',
          path: ['answered_at'],
          message: 'answered_at is not between started_at and ended_at',
        });
      }
      if ((r.outcome === 'answered') !== (r.answered_at !== undefined)) {
        c.addIssue({
          code: 'custom',
          path: ['outcome'],
          message:
            r.outcome === 'answered'
              ? 'outcome answered needs answered_at'
              : `outcome ${r.outcome} must not have answered_at`,
        });
      }
    })
    .transform((row) => {
      const r = row as typeof row & {
        started_at: number;
        ended_at: number;
        answered_at?: number;
        hold_seconds?: number;
        talk_seconds?: number;
        acw_seconds?: number;
      };
      // Contract defaults: hold and after-call work 0; talk = ended − answered − hold.
      const hold = r.hold_seconds ?? 0;
      const talk =
        r.talk_seconds ??
        (r.answered_at !== undefined ? Math.max(0, (r.ended_at - r.answered_at) / 1000 - hold) : undefined);
      return { ...r, hold_seconds: hold, acw_seconds: r.acw_seconds ?? 0, talk_seconds: talk };
    });

  const surveys = z
    .object({
      response_id: text(true),
      survey: oneOf(['csat', 'nps', 'ces', 'enps', 'collaboration'], true),
      score: num(true),
      scale_min: num(false),
      scale_max: num(false),
      responded_at: ts(true),
      customer_id: text(false),
      ticket_id: text(false),
      call_id: text(false),
      agent_id: text(false),
    })
    .transform((row, c) => {
      const r = row as typeof row & {
        survey: keyof typeof SURVEY_SCALES;
        score: number;
        scale_min?: number;
        scale_max?: number;
      };
      const [dmin, dmax] = SURVEY_SCALES[r.survey];
      const scale_min = r.scale_min ?? dmin;
      const scale_max = r.scale_max ?? dmax;
      if (scale_min >= scale_max) {
        c.addIssue({
          code: 'custom',
          path: ['scale_max'],
          message: `scale_max (${scale_max}) must exceed scale_min (${scale_min})`,
        });
        return z.NEVER;
      }
      if (r.score < scale_min || r.score > scale_max) {
        c.addIssue({
          code: 'custom',
          path: ['score'],
          message: `score ${r.score} is outside the scale ${scale_min}–${scale_max}`,
        });
        return z.NEVER;
      }
      return { ...r, scale_min, scale_max };
    });

  const customers = z
    .object({
      customer_id: text(true),
      created_at: ts(true),
      churned_at: ts(false),
      last_active_at: ts(false),
      key_account: bool(false, false),
      revenue_to_date: num(false, { min: 0 }),
      updated_at: ts(false),
    })
    .superRefine((r, c) => notBefore(c, r, 'churned_at', 'created_at'));

  const costs = z
    .object({
      cost_id: text(true),
      date: calendarDate(true),
      kind: oneOf(['actual', 'budget'], true),
      category: oneOf(['staff', 'telephony', 'software', 'facilities', 'other'], false, 'other'),
      amount: num(true, { min: 0 }),
      currency: withMeta(
        z.preprocess(
          (v) => {
            const b = scalarText(v);
            return typeof b === 'string' ? b.toUpperCase() : b;
          },
          z
            .string()
            .regex(/^[A-Z]{3}$/, 'expected an ISO-4217 code')
            .optional(),
        ),
        { kind: 'string', required: false },
      ),
    })
    .superRefine((r, c) => {
      if (ctx.currency && r.currency && r.currency !== ctx.currency) {
        c.addIssue({
          code: 'custom',
          path: ['currency'],
          message: `currency ${r.currency} differs from the deployment's ${ctx.currency}`,
        });
      }
    });

  const plans = z.object({
    plan_id: text(true),
    month: yearMonth(true),
    kind: oneOf(
      ['work_plan', 'customer_survey', 'process_improvement', 'standards_execution', 'info_relay', 'other'],
      true,
    ),
    planned: num(true, { gt: 0 }),
    achieved: num(true, { min: 0 }),
  });

  const followups = z.object({
    followup_id: text(true),
    customer_id: text(true),
    planned_at: ts(true),
    done_at: ts(false),
    key_account: bool(false, false),
  });

  return { tickets, calls, surveys, customers, costs, plans, followups } satisfies Record<Entity, z.ZodType>;
}

export type ContractSchemas = ReturnType<typeof contractSchemas>;
export type EntityRow<E extends Entity> = z.output<ContractSchemas[E]>;

/** Which column identifies a record, and which timestamp puts it into a `dt` partition. */
export const ENTITY_KEYS: Record<Entity, { id: string; partitionBy: string }> = {
  tickets: { id: 'ticket_id', partitionBy: 'created_at' },
  calls: { id: 'call_id', partitionBy: 'started_at' },
  surveys: { id: 'response_id', partitionBy: 'responded_at' },
  customers: { id: 'customer_id', partitionBy: 'created_at' },
  costs: { id: 'cost_id', partitionBy: 'date' },
  plans: { id: 'plan_id', partitionBy: 'month' },
  followups: { id: 'followup_id', partitionBy: 'planned_at' },
};

/** Lineage columns every curated row carries (after the contract columns). */
export const LINEAGE_COLUMNS: readonly { name: string; kind: ColumnKind; description: string }[] = [
  {
    name: '_source',
    kind: 'string',
    description: 'source format: generic, zendesk, freshdesk, amazon-connect, twilio',
  },
  { name: '_source_file', kind: 'string', description: 'the landed object or file the row came from' },
  { name: '_record', kind: 'integer', description: 'line (CSV, NDJSON) or record number in that file' },
  {
    name: '_ingested_at',
    kind: 'timestamp',
    description: 'when the normalizer wrote the row; breaks updated_at ties',
  },
];

export interface ColumnDef extends ColumnMeta {
  name: string;
}

function unwrapObjectShape(schema: z.ZodType): Record<string, z.ZodType> {
  let s: z.ZodType = schema;
  // ZodPipe (transform) and refinements wrap the object; walk to it.
  for (let i = 0; i < 5; i++) {
    if (s instanceof z.ZodObject) return s.shape as Record<string, z.ZodType>;
    if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else break;
  }
  throw new Error('contract is not an object schema');
}

const columnCache = new Map<Entity, ColumnDef[]>();

/** The curated columns of an entity, in contract order, read off the zod schema's field metadata. */
export function entityColumns(entity: Entity): ColumnDef[] {
  const cached = columnCache.get(entity);
  if (cached) return cached;
  const shape = unwrapObjectShape(contractSchemas({ sourceTimezone: 'UTC' })[entity]);
  const cols = Object.entries(shape).map(([name, field]) => {
    const meta = field.meta() as unknown as ColumnMeta | undefined;
    if (!meta?.kind) throw new Error(`contract field ${entity}.${name} carries no column metadata`);
    return { name, ...meta };
  });
  columnCache.set(entity, cols);
  return cols;
}

/** Contract columns plus lineage columns: the full curated table (without the `dt` partition). */
export function curatedColumns(entity: Entity): ColumnDef[] {
  return [...entityColumns(entity), ...LINEAGE_COLUMNS.map((c) => ({ ...c, required: true }))];
}
