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
import { parseIsoInstant, parseIsoInstantBytes } from './time.ts';

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
  /**
   * Text whose values are nearly all different (record and customer ids): stored without a
   * dictionary, which would only grow until the writer gave it up.
   */
  distinct?: boolean;
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
// Each builder returns a zod schema and registers beside it a plain function doing the same
// coercion without zod (see {@link compileContract}). Both call the same helpers (blank,
// scalarText, toNumber, parseIsoInstant…), so they cannot drift apart on what a value means; a
// property test (test/property/contracts-fast.property.test.ts) checks they agree on every input.

/** What a fast field parser returns for a value it rejects (zod then says why). */
export const REJECT: unique symbol = Symbol('reject');
type FastField = (v: Raw) => unknown;
const fastFields = new WeakMap<z.ZodType, FastField>();

/** What a byte reader returns for a value it leaves to the field's plain parser (as text). */
const SLOW: unique symbol = Symbol('slow');
/**
 * Reads a CSV field straight from its UTF-8 bytes `b[start, end)`, making no string where it can:
 * the field's value, or SLOW. Only non-empty ASCII fields without escaped quotes reach it (see
 * {@link compileCsvContract}); whatever it returns must equal what the plain parser returns for
 * the same text (test/property/csv-bytes.property.test.ts).
 */
type ByteField = (b: Buffer, start: number, end: number) => unknown;
const byteFields = new WeakMap<z.ZodType, ByteField>();

function field<T extends z.ZodType>(schema: T, meta: ColumnMeta, fast: FastField, bytes?: ByteField): T {
  const s = withMeta(schema, meta);
  fastFields.set(s, fast);
  if (bytes) byteFields.set(s, bytes);
  return s;
}

type Latin1 = { latin1Slice?: (start: number, end: number) => string };
/**
 * ASCII bytes as text: Node's `latin1Slice`, which `toString('latin1', …)` calls after checking
 * its arguments (that check was a third of the cost per short field), where the runtime has it.
 */
const asciiText: (b: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as Latin1).latin1Slice === 'function'
    ? (b, s, e) => (b as unknown as Required<Latin1>).latin1Slice(s, e)
    : (b, s, e) => b.toString('latin1', s, e);

/** Printable ASCII other than space: a field starting and ending with one needs no trimming. */
const solid = (c: number) => c > 32 && c < 127;

/** Plain text: the bytes as they are, when trimming would change nothing. */
const textBytes: ByteField = (b, s, e) => (solid(b[s]!) && solid(b[e - 1]!) ? asciiText(b, s, e) : SLOW);

/** One of a few lower-case ASCII values, byte for byte; anything else (case, spaces) goes the plain way. */
function enumBytes(values: readonly string[]): ByteField | undefined {
  if (values.some((v) => v !== v.toLowerCase() || !/^[\x21-\x7e]+$/.test(v))) return undefined;
  const encoded = values.map((v) => Buffer.from(v, 'latin1'));
  return (b, s, e) => {
    const n = e - s;
    for (let k = 0; k < encoded.length; k++) {
      const v = encoded[k]!;
      if (v.length !== n) continue;
      let j = 0;
      while (j < n && b[s + j] === v[j]) j++;
      if (j === n) return values[k];
    }
    return SLOW;
  };
}

const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);
/**
 * `-?digits[.digits]` with at most 15 digits, then the field's own checks (`check`, the plain
 * parser, which takes numbers too). Exact: an integer below 2^53 divided by an exact power of ten
 * is the correctly rounded quotient, as `Number(text)` is the correctly rounded decimal.
 */
function numberBytes(check: FastField): ByteField {
  return (b, s, e) => {
    let i = s;
    const neg = b[i] === 45;
    if (neg) i++;
    const first = i;
    let int = 0;
    let digits = 0;
    let dot = -1;
    for (; i < e; i++) {
      const c = b[i]!;
      if (c >= 48 && c <= 57) {
        int = int * 10 + (c - 48);
        digits++;
      } else if (c === 46 && dot < 0) dot = i;
      else return SLOW;
    }
    if (digits === 0 || digits > 15 || dot === first || dot === e - 1) return SLOW;
    const x = dot < 0 ? int : int / POW10[e - dot - 1]!;
    return check(neg ? -x : x);
  };
}

const booleanBytes: ByteField = (b, s, e) => {
  const n = e - s;
  if (n === 1) return b[s] === 49 ? true : b[s] === 48 ? false : SLOW;
  if (n === 4 && b[s] === 116 && b[s + 1] === 114 && b[s + 2] === 117 && b[s + 3] === 101) return true;
  if (n === 5 && b[s] === 102 && b[s + 1] === 97 && b[s + 2] === 108 && b[s + 3] === 115 && b[s + 4] === 101)
    return false;
  return SLOW;
};

/** undefined for a blank value: REJECT when the field is required, else undefined. */
const absent = (required: boolean, dflt?: unknown) =>
  dflt !== undefined ? dflt : required ? REJECT : undefined;

/** Text; `distinct` for identifiers with (nearly) one value per row or per customer. */
const text = <R extends boolean>(required: R, distinct = false) =>
  field(
    optional(
      z.preprocess(
        scalarText,
        z.string({ error: (i) => (i.input === undefined ? 'required' : 'expected text') }),
      ),
      required,
    ),
    { kind: 'string', required, ...(distinct ? { distinct } : {}) },
    (v) => {
      const b = scalarText(v);
      return b === undefined ? absent(required) : typeof b === 'string' ? b : REJECT;
    },
    textBytes,
  );

function lowerBlank(v: Raw): Raw {
  const b = blank(v);
  return typeof b === 'string' ? b.toLowerCase() : b;
}

function oneOf<const V extends readonly [string, ...string[]], R extends boolean>(
  values: V,
  required: R,
  dflt?: V[number],
) {
  const inner = z.preprocess(
    lowerBlank,
    z.enum(values, {
      error: (i) =>
        i.input === undefined ? 'required' : `expected one of ${values.join(', ')}; got "${String(i.input)}"`,
    }),
  );
  const s =
    dflt !== undefined
      ? z.preprocess(blank, inner.optional()).transform((x) => x ?? dflt)
      : optional(inner, required);
  const allowed = new Set<unknown>(values);
  return field(
    s,
    { kind: 'string', required, values },
    (v) => {
      const b = lowerBlank(v);
      return b === undefined ? absent(required, dflt) : allowed.has(b) ? b : REJECT;
    },
    enumBytes(values),
  );
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
  const zone = ctx.sourceTimezone;
  return field(
    optional(s, required),
    { kind: 'timestamp', required },
    (v) => {
      const b = blank(v);
      if (b === undefined) return absent(required);
      if (typeof b !== 'string') return REJECT;
      return parseIsoInstant(b, zone) ?? REJECT;
    },
    (b, s, e) => parseIsoInstantBytes(b, s, e, zone) ?? SLOW,
  );
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
function isCalendarDate(t: string): boolean {
  const m = DATE_RE.exec(t);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.toISOString().slice(0, 10) === t;
}

function calendarDate<R extends boolean>(required: R) {
  const s = z.preprocess(
    blank,
    z
      .string({ error: (i) => (i.input === undefined ? 'required' : 'expected a date (YYYY-MM-DD)') })
      .refine(isCalendarDate, 'expected a date (YYYY-MM-DD)'),
  );
  return field(optional(s, required), { kind: 'date', required }, (v) => {
    const b = blank(v);
    if (b === undefined) return absent(required);
    return typeof b === 'string' && isCalendarDate(b) ? b : REJECT;
  });
}

const YEAR_MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;
function yearMonth<R extends boolean>(required: R) {
  const s = z.preprocess(
    blank,
    z.string({ error: 'expected a month (YYYY-MM)' }).regex(YEAR_MONTH_RE, 'expected a month (YYYY-MM)'),
  );
  return field(optional(s, required), { kind: 'string', required }, (v) => {
    const b = blank(v);
    if (b === undefined) return absent(required);
    return typeof b === 'string' && YEAR_MONTH_RE.test(b) ? b : REJECT;
  });
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
  const { min, gt, integer } = opts;
  const check: FastField = (v) => {
    const x = toNumber(v);
    if (x === undefined) return absent(required);
    if (typeof x !== 'number' || !Number.isFinite(x)) return REJECT;
    if (integer && !Number.isSafeInteger(x)) return REJECT;
    if ((min !== undefined && x < min) || (gt !== undefined && x <= gt)) return REJECT;
    return x;
  };
  return field(
    optional(z.preprocess(toNumber, n), required),
    { kind: integer ? 'integer' : 'number', required },
    check,
    numberBytes(check),
  );
}

const TRUE = new Set(['true', '1', 'yes', 'y', 't']);
const FALSE = new Set(['false', '0', 'no', 'n', 'f']);
function toBoolean(v: Raw): Raw {
  const b = blank(v);
  if (typeof b === 'number') return b === 1 ? true : b === 0 ? false : b;
  if (typeof b === 'string') {
    const l = b.toLowerCase();
    return TRUE.has(l) ? true : FALSE.has(l) ? false : b;
  }
  return b;
}

function bool<R extends boolean>(required: R, dflt?: boolean) {
  const inner = z.preprocess(
    toBoolean,
    z.boolean({
      error: (i) =>
        i.input === undefined ? 'required' : `expected true/false, 1/0 or yes/no; got "${String(i.input)}"`,
    }),
  );
  const s =
    dflt !== undefined
      ? z.preprocess(blank, inner.optional()).transform((x) => x ?? dflt)
      : optional(inner, required);
  return field(
    s,
    { kind: 'boolean', required },
    (v) => {
      const b = toBoolean(v);
      return b === undefined ? absent(required, dflt) : typeof b === 'boolean' ? b : REJECT;
    },
    booleanBytes,
  );
}

const CURRENCY_RE = /^[A-Z]{3}$/;
function upperText(v: Raw): Raw {
  const b = scalarText(v);
  return typeof b === 'string' ? b.toUpperCase() : b;
}
function currencyCode() {
  return field(
    z.preprocess(upperText, z.string().regex(CURRENCY_RE, 'expected an ISO-4217 code').optional()),
    { kind: 'string', required: false },
    (v) => {
      const b = upperText(v);
      return b === undefined ? undefined : typeof b === 'string' && CURRENCY_RE.test(b) ? b : REJECT;
    },
  );
}

// ── row rules ─────────────────────────────────────────────────────────────────
// Checks across fields, and defaults derived from other fields: plain functions over a row whose
// fields are already parsed, run by the zod schema (superRefine / transform) and by the compiled
// validator alike.

type Row = Record<string, unknown>;
/** Reports one problem with the row: the field it is about and the reason. */
type Report = (field: string, message: string) => void;

interface RowRules {
  check?: (row: Row, report: Report) => void;
  /** The row as stored (defaults filled in); runs only on a row that passed `check`. */
  finish?: (row: Row) => Row;
}

function notBefore(report: Report, row: Row, field: string, anchor: string) {
  const v = row[field];
  const a = row[anchor];
  if (typeof v === 'number' && typeof a === 'number' && v < a) report(field, `${field} is before ${anchor}`);
}

/** A zod object refined and transformed by the entity's row rules. */
function withRules<T extends z.ZodObject>(object: T, rules: RowRules) {
  const checked = rules.check
    ? object.superRefine((r, c) =>
        rules.check!(r as Row, (path, message) => c.addIssue({ code: 'custom', path: [path], message })),
      )
    : object;
  const finished = rules.finish ? checked.transform((r) => rules.finish!(r as Row)) : checked;
  rulesOf.set(finished, rules);
  return finished;
}
const rulesOf = new WeakMap<z.ZodType, RowRules>();

export const SURVEY_SCALES = {
  csat: [1, 5],
  nps: [0, 10],
  ces: [1, 7],
  enps: [0, 10],
  collaboration: [1, 5],
} as const;

// ── the entities ──────────────────────────────────────────────────────────────
const TICKET_RULES: RowRules = {
  check(r, report) {
    for (const f of ['first_response_at', 'assigned_at', 'resolved_at', 'closed_at'])
      notBefore(report, r, f, 'created_at');
    if (
      (r.status === 'solved' || r.status === 'closed') &&
      r.resolved_at === undefined &&
      r.closed_at === undefined
    )
      report('status', `status ${r.status} needs resolved_at or closed_at`);
  },
};

const CALL_RULES: RowRules = {
  check(row, report) {
    const r = row as { started_at: number; ended_at: number; answered_at?: number; outcome: string };
    if (r.ended_at < r.started_at) report('ended_at', 'ended_at is before started_at');
    if (r.answered_at !== undefined && (r.answered_at < r.started_at || r.answered_at > r.ended_at))
      report('answered_at', 'answered_at is not between started_at and ended_at');
    if ((r.outcome === 'answered') !== (r.answered_at !== undefined))
      report(
        'outcome',
        r.outcome === 'answered'
          ? 'outcome answered needs answered_at'
          : `outcome ${r.outcome} must not have answered_at`,
      );
  },
  finish(row) {
    const r = row as Row & {
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
    // In place: the row is a fresh object from the parser (zod's or the compiled one).
    r.hold_seconds = hold;
    r.acw_seconds = r.acw_seconds ?? 0;
    r.talk_seconds = talk;
    return r;
  },
};

function surveyScale(r: Row): [number, number] {
  const [dmin, dmax] = SURVEY_SCALES[r.survey as keyof typeof SURVEY_SCALES];
  return [(r.scale_min as number | undefined) ?? dmin, (r.scale_max as number | undefined) ?? dmax];
}

const SURVEY_RULES: RowRules = {
  check(r, report) {
    const [scale_min, scale_max] = surveyScale(r);
    const score = r.score as number;
    if (scale_min >= scale_max)
      report('scale_max', `scale_max (${scale_max}) must exceed scale_min (${scale_min})`);
    else if (score < scale_min || score > scale_max)
      report('score', `score ${score} is outside the scale ${scale_min}–${scale_max}`);
  },
  finish(r) {
    const [scale_min, scale_max] = surveyScale(r);
    r.scale_min = scale_min;
    r.scale_max = scale_max;
    return r;
  },
};

const CUSTOMER_RULES: RowRules = { check: (r, report) => notBefore(report, r, 'churned_at', 'created_at') };

const costRules = (ctx: ContractContext): RowRules => ({
  check(r, report) {
    if (ctx.currency && r.currency && r.currency !== ctx.currency)
      report('currency', `currency ${r.currency} differs from the deployment's ${ctx.currency}`);
  },
});

export function contractSchemas(ctx: ContractContext) {
  const ts = <R extends boolean>(required: R) => timestamp(ctx, required);

  const tickets = withRules(
    z.object({
      ticket_id: text(true, true),
      created_at: ts(true),
      updated_at: ts(false),
      channel: oneOf(['phone', 'email', 'chat', 'web', 'social', 'other'], true),
      type: oneOf(['request', 'complaint', 'incident', 'question', 'other'], false, 'request'),
      priority: oneOf(['low', 'normal', 'high', 'urgent'], false),
      status: oneOf(['new', 'open', 'pending', 'on_hold', 'solved', 'closed'], true),
      customer_id: text(true, true),
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
    }),
    TICKET_RULES,
  );

  const calls = withRules(
    z.object({
      call_id: text(true, true),
      direction: oneOf(['inbound', 'outbound'], true),
      queue: text(false),
      agent_id: text(false),
      customer_id: text(false, true),
      started_at: ts(true),
      answered_at: ts(false),
      ended_at: ts(true),
      outcome: oneOf(['answered', 'abandoned', 'blocked', 'callback', 'voicemail', 'no_answer'], true),
      talk_seconds: num(false, { min: 0 }),
      hold_seconds: num(false, { min: 0 }),
      acw_seconds: num(false, { min: 0 }),
      transferred: bool(false),
      initial_call_id: text(false, true),
      cost: num(false, { min: 0 }),
    }),
    CALL_RULES,
  );

  const surveys = withRules(
    z.object({
      response_id: text(true, true),
      survey: oneOf(['csat', 'nps', 'ces', 'enps', 'collaboration'], true),
      score: num(true),
      scale_min: num(false),
      scale_max: num(false),
      responded_at: ts(true),
      customer_id: text(false, true),
      ticket_id: text(false, true),
      call_id: text(false, true),
      agent_id: text(false),
    }),
    SURVEY_RULES,
  );

  const customers = withRules(
    z.object({
      customer_id: text(true, true),
      created_at: ts(true),
      churned_at: ts(false),
      last_active_at: ts(false),
      key_account: bool(false, false),
      revenue_to_date: num(false, { min: 0 }),
      updated_at: ts(false),
    }),
    CUSTOMER_RULES,
  );

  const costs = withRules(
    z.object({
      cost_id: text(true, true),
      date: calendarDate(true),
      kind: oneOf(['actual', 'budget'], true),
      category: oneOf(['staff', 'telephony', 'software', 'facilities', 'other'], false, 'other'),
      amount: num(true, { min: 0 }),
      currency: currencyCode(),
    }),
    costRules(ctx),
  );

  const plans = withRules(
    z.object({
      plan_id: text(true, true),
      month: yearMonth(true),
      kind: oneOf(
        ['work_plan', 'customer_survey', 'process_improvement', 'standards_execution', 'info_relay', 'other'],
        true,
      ),
      planned: num(true, { gt: 0 }),
      achieved: num(true, { min: 0 }),
    }),
    {},
  );

  const followups = withRules(
    z.object({
      followup_id: text(true, true),
      customer_id: text(true, true),
      planned_at: ts(true),
      done_at: ts(false),
      key_account: bool(false, false),
    }),
    {},
  );

  return { tickets, calls, surveys, customers, costs, plans, followups } satisfies Record<Entity, z.ZodType>;
}

/**
 * A validator that accepts exactly the rows a contract accepts, with the same output, without
 * zod: the fields' registered parsers in a plain loop, then the entity's row rules. It returns
 * undefined for any row it rejects; the caller asks zod for the reasons (rejected rows are rare,
 * accepted rows are the hot path: ≈ 10× faster than `safeParse` here).
 */
export type FastValidator = (input: Record<string, unknown>) => Record<string, unknown> | undefined;

export function compileContract(schema: z.ZodType, extraKeys: readonly string[] = []): FastValidator {
  // Generated so that every property access names its field: each access site then sees one
  // object shape and one parser (≈ 3× the speed of a loop over names; bench/README.md). Field
  // names come from the contract, and JSON.stringify quotes them.
  return generateValidator(
    schema,
    extraKeys,
    'input',
    (name, i) =>
      `const v${i} = p${i}(input[${JSON.stringify(name)}]); if (v${i} === REJECT) return undefined;`,
    {},
  ) as FastValidator;
}

/** Bit flags of one CSV field's bytes (see {@link CsvRowValidator}). */
export const CSV_FIELD = {
  /** A byte ≥ 0x80: the field is decoded as UTF-8 text. */
  nonAscii: 1,
  /** A quoted field holding `""`: decoded, then each `""` becomes `"`. */
  escapedQuote: 2,
} as const;

/**
 * The compiled validator of a CSV row given as byte ranges: field `c` of the header is
 * `bytes[starts[c], ends[c])` with flags `flags[c]` (unquoted, or the inside of its quotes). It
 * accepts exactly the rows that {@link compileContract}'s validator accepts for the row object
 * Papa Parse would have made (header → text), with the same values; undefined otherwise.
 */
export type CsvRowValidator = (
  bytes: Buffer,
  starts: Int32Array,
  ends: Int32Array,
  flags: Uint8Array,
) => Record<string, unknown> | undefined;

/** A CSV field's text, as Papa Parse would give it. */
export function csvFieldText(b: Buffer, start: number, end: number, flags: number): string {
  const t = flags & CSV_FIELD.nonAscii ? b.toString('utf8', start, end) : asciiText(b, start, end);
  return flags & CSV_FIELD.escapedQuote ? t.replaceAll('""', '"') : t;
}

/**
 * {@link compileContract} for CSV bytes: each field is read from its bytes by the field's byte
 * reader where it has one (numbers, timestamps, enumerations, booleans, text), so the common row
 * makes no string but its text values; any other field is decoded and given to the same plain
 * parser as the object path. `header` is the trimmed header row; a name it repeats takes its last
 * column, as the row object would.
 */
export function compileCsvContract(
  schema: z.ZodType,
  header: readonly string[],
  extraKeys: readonly string[] = [],
): CsvRowValidator {
  const column = new Map(header.map((h, c) => [h, c] as const));
  const shape = unwrapObjectShape(schema);
  const params: Record<string, unknown> = { SLOW, text: csvFieldText, ascii: asciiText };
  const code = (name: string, i: number) => {
    const c = column.get(name);
    const p = `p${i}`;
    // A column the header lacks is undefined in the row object; an empty field is '' — both the
    // same for every row, so their parse is done once, here.
    const missing = fastFields.get(shape[name]!)!(c === undefined ? undefined : '');
    params[`k${i}`] = missing;
    const reject = missing === REJECT ? 'return undefined;' : '';
    if (c === undefined) return `const v${i} = k${i}; ${reject}`;
    const reader = byteFields.get(shape[name]!);
    params[`b${i}`] = reader;
    const ascii = reader
      ? `{ v${i} = b${i}(bytes, s, e); if (v${i} === SLOW) v${i} = ${p}(ascii(bytes, s, e)); }`
      : `v${i} = ${p}(ascii(bytes, s, e));`;
    return `let v${i}; { const s = starts[${c}], e = ends[${c}], f = flags[${c}];
    if (s === e) { v${i} = k${i}; ${reject} }
    else if (f === 0) ${ascii}
    else v${i} = ${p}(text(bytes, s, e, f)); }
  if (v${i} === REJECT) return undefined;`;
  };
  return generateValidator(schema, extraKeys, 'bytes, starts, ends, flags', code, params) as CsvRowValidator;
}

/**
 * The body both compiled validators share: field values (`v<i>`, made by `fieldCode` from the
 * field's plain parser `p<i>`), one object literal, the entity's row rules.
 */
function generateValidator(
  schema: z.ZodType,
  extraKeys: readonly string[],
  args: string,
  fieldCode: (name: string, i: number) => string,
  params: Record<string, unknown>,
): (...args: never[]) => Record<string, unknown> | undefined {
  const rules = rulesOf.get(schema);
  const shape = unwrapObjectShape(schema);
  const names = Object.keys(shape);
  const parsers = names.map((n) => {
    const f = fastFields.get(shape[n]!);
    if (!f) throw new Error(`contract field ${n} has no compiled parser`);
    return f;
  });
  if (!rules) throw new Error('contract has no row rules');
  const { check, finish } = rules;
  const state = { failed: false };
  const report: Report = () => {
    state.failed = true;
  };
  const lines = names.map((n, i) => fieldCode(n, i));
  // `extraKeys` (the lineage columns the normalizer adds) start undefined in the same literal, so
  // setting them later changes no object shape.
  const literal = [
    ...names.map((n, i) => `${JSON.stringify(n)}: v${i}`),
    ...extraKeys.filter((k) => !names.includes(k)).map((k) => `${JSON.stringify(k)}: undefined`),
  ].join(', ');
  const body = `return function validate(${args}) {
  ${lines.join('\n  ')}
  const row = { ${literal} };
  if (check !== undefined) { state.failed = false; check(row, report); if (state.failed) return undefined; }
  return finish === undefined ? row : finish(row);
};`;
  const all: Record<string, unknown> = { REJECT, check, finish, state, report, ...params };
  names.forEach((_, i) => {
    all[`p${i}`] = parsers[i];
  });
  const keys = Object.keys(all);
  return new Function(...keys, body)(...keys.map((k) => all[k]));
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
