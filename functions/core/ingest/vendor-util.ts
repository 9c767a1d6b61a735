/** Small readers shared by the vendor mappings: loose JSON and CSV values to text and numbers. */

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Trimmed text of a string or number; undefined for blanks and anything else. */
export function text(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** A finite number from a number or numeric text; undefined otherwise. */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Airbyte wraps each record: `{"stream", "data", "emitted_at"}` (or the RECORD protocol message). */
export function unwrapAirbyte(v: Obj): { stream?: string; data: Obj } {
  const rec = v.type === 'RECORD' && isObj(v.record) ? v.record : v;
  if (typeof rec.stream === 'string' && isObj(rec.data) && 'emitted_at' in rec) {
    return { stream: rec.stream, data: rec.data };
  }
  return { data: v };
}
