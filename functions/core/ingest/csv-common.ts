/**
 * What both CSV readers share: the Papa Parse reader (csv-papa.ts) and the byte path
 * (csv-bytes.ts) make the same header, the same row objects and the same error records, and the
 * byte path hands a file over to Papa Parse at a {@link CsvResume}. A leaf module, so neither
 * reader imports the other.
 */
import { type RawRecord, UnreadableFileError } from './raw-record.ts';

/** Where csvBatches takes over a file the byte path (csv-bytes.ts) has read up to a record. */
export interface CsvResume {
  /** Lines read before. */
  line: number;
  /** The file's line break; decided from the next line when not known yet. */
  newline?: '\r\n' | '\n';
  header?: string[];
}

/** The header row's names (trimmed); a header of nothing but empty names makes the file unreadable. */
export function csvHeader(fields: readonly string[]): string[] {
  const header = fields.map((h) => h.trim());
  if (header.every((h) => h === '')) throw new UnreadableFileError('the CSV header row is empty');
  return header;
}

/** The error record of a row with more or fewer fields than the header. */
export function wrongFieldCount(
  no: number,
  header: readonly string[],
  fields: readonly string[],
  delimiter: string,
): RawRecord {
  return {
    no,
    value: null,
    error: `expected ${header.length} fields as in the header, got ${fields.length}`,
    rawText: fields.join(delimiter),
  };
}

/**
 * A function making the object of one CSV row, keyed by the header. Generated as one object
 * literal so every row gets the same hidden class at once (property access downstream stays
 * monomorphic); the same keys and values as assigning them in a loop, which is the fallback for a
 * header naming `__proto__` (a literal may not repeat that key).
 */
export function recordMaker(header: readonly string[]): (fields: string[]) => Record<string, string> {
  if (header.includes('__proto__')) {
    return (fields) => {
      const obj: Record<string, string> = {};
      for (let j = 0; j < header.length; j++) obj[header[j]!] = fields[j]!;
      return obj;
    };
  }
  const literal = header.map((h, j) => `${JSON.stringify(h)}: f[${j}]`).join(', ');
  return new Function('f', `return { ${literal} };`) as (fields: string[]) => Record<string, string>;
}
