/**
 * Field builders of the contracts: one per value kind (text, enumeration, timestamp, date, month,
 * number, boolean, currency), each returning a zod schema that carries its column metadata
 * (`meta()`, see {@link ColumnMeta}) and registering beside it a plain function doing the same
 * coercion without zod, plus a byte reader where the kind has one (field-bytes.ts), for the
 * compiled validator (validator.ts).
 *
 * Both forms call the same helpers (blank, scalarText, toNumber, parseIsoInstant…), so they cannot
 * drift apart on what a value means; a property test (test/property/contracts-fast.property.test.ts)
 * checks they agree on every input. Values arrive as text (CSV) or JSON scalars (NDJSON, vendor
 * mappings); every field coerces either form. Empty strings are nulls. Timestamps become epoch
 * milliseconds (UTC instants).
 */
import { z } from 'zod';
import { parseIsoInstant, parseIsoInstantBytes } from '../time.ts';
import { type ByteField, booleanBytes, enumBytes, numberBytes, SLOW, textBytes } from './field-bytes.ts';

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

// ── the plain twins ───────────────────────────────────────────────────────────

/** What a fast field parser returns for a value it rejects (zod then says why). */
export const REJECT: unique symbol = Symbol('reject');
/** A field's plain parser: the value as the zod field would output it, or REJECT. */
export type FastField = (v: Raw) => unknown;
const fastFields = new WeakMap<z.ZodType, FastField>();
const byteFields = new WeakMap<z.ZodType, ByteField>();

function field<T extends z.ZodType>(schema: T, meta: ColumnMeta, fast: FastField, bytes?: ByteField): T {
  const s = withMeta(schema, meta);
  fastFields.set(s, fast);
  if (bytes) byteFields.set(s, bytes);
  return s;
}

/** The plain parser registered for a contract field (undefined for a schema no builder made). */
export function fastParserOf(schema: z.ZodType): FastField | undefined {
  return fastFields.get(schema);
}

/** The byte reader registered for a contract field, if its kind has one. */
export function byteReaderOf(schema: z.ZodType): ByteField | undefined {
  return byteFields.get(schema);
}

/** undefined for a blank value: REJECT when the field is required, else undefined. */
const absent = (required: boolean, dflt?: unknown) =>
  dflt !== undefined ? dflt : required ? REJECT : undefined;

// ── field builders ───────────────────────────────────────────────────────────

/** Text; `distinct` for identifiers with (nearly) one value per row or per customer. */
export const text = <R extends boolean>(required: R, distinct = false) =>
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

export function oneOf<const V extends readonly [string, ...string[]], R extends boolean>(
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

export function timestamp<R extends boolean>(ctx: ContractContext, required: R) {
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

/** The timestamp builder of one context: `ts(required)`. */
export const timestampsIn =
  (ctx: ContractContext) =>
  <R extends boolean>(required: R) =>
    timestamp(ctx, required);

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
function isCalendarDate(t: string): boolean {
  const m = DATE_RE.exec(t);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.toISOString().slice(0, 10) === t;
}

export function calendarDate<R extends boolean>(required: R) {
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
export function yearMonth<R extends boolean>(required: R) {
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

export function num<R extends boolean>(
  required: R,
  opts: { min?: number; gt?: number; integer?: boolean } = {},
) {
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

export function bool<R extends boolean>(required: R, dflt?: boolean) {
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
export function currencyCode() {
  return field(
    z.preprocess(upperText, z.string().regex(CURRENCY_RE, 'expected an ISO-4217 code').optional()),
    { kind: 'string', required: false },
    (v) => {
      const b = upperText(v);
      return b === undefined ? undefined : typeof b === 'string' && CURRENCY_RE.test(b) ? b : REJECT;
    },
  );
}
