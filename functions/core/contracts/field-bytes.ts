/**
 * Byte readers of CSV fields: each reads one field's value straight from its UTF-8 bytes, making
 * no string where it can, for the compiled CSV validator (validator.ts). The field builders
 * (fields.ts) attach one to each field kind that has a fast byte form.
 */

/** What a byte reader returns for a value it leaves to the field's plain parser (as text). */
export const SLOW: unique symbol = Symbol('slow');

/**
 * Reads a CSV field straight from its UTF-8 bytes `b[start, end)`, making no string where it can:
 * the field's value, or SLOW. Only non-empty ASCII fields without escaped quotes reach it (see
 * compileCsvContract in validator.ts); whatever it returns must equal what the plain parser returns for
 * the same text (test/property/csv-bytes.property.test.ts).
 */
export type ByteField = (b: Buffer, start: number, end: number) => unknown;

type Latin1 = { latin1Slice?: (start: number, end: number) => string };
/**
 * ASCII bytes as text: Node's `latin1Slice`, which `toString('latin1', …)` calls after checking
 * its arguments (that check was a third of the cost per short field), where the runtime has it.
 */
export const asciiText: (b: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as Latin1).latin1Slice === 'function'
    ? (b, s, e) => (b as unknown as Required<Latin1>).latin1Slice(s, e)
    : (b, s, e) => b.toString('latin1', s, e);

/** Printable ASCII other than space: a field starting and ending with one needs no trimming. */
const solid = (c: number) => c > 32 && c < 127;

/** Plain text: the bytes as they are, when trimming would change nothing. */
export const textBytes: ByteField = (b, s, e) =>
  solid(b[s]!) && solid(b[e - 1]!) ? asciiText(b, s, e) : SLOW;

/** One of a few lower-case ASCII values, byte for byte; anything else (case, spaces) goes the plain way. */
export function enumBytes(values: readonly string[]): ByteField | undefined {
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
export function numberBytes(check: (v: unknown) => unknown): ByteField {
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

export const booleanBytes: ByteField = (b, s, e) => {
  const n = e - s;
  if (n === 1) return b[s] === 49 ? true : b[s] === 48 ? false : SLOW;
  if (n === 4 && b[s] === 116 && b[s + 1] === 114 && b[s + 2] === 117 && b[s + 3] === 101) return true;
  if (n === 5 && b[s] === 102 && b[s + 1] === 97 && b[s + 2] === 108 && b[s + 3] === 115 && b[s + 4] === 101)
    return false;
  return SLOW;
};
