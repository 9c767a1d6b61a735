import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import type { ColumnDef } from '../../functions/core/contracts.ts';
import { ParquetRowWriter } from '../../functions/core/parquet.ts';
import type { ObjectSink } from '../../functions/core/ports.ts';

const COLUMNS: ColumnDef[] = [
  { name: 'id', kind: 'string', required: true },
  { name: 'note', kind: 'string', required: false },
  { name: 'at', kind: 'timestamp', required: false },
  { name: 'day', kind: 'date', required: false },
  { name: 'n', kind: 'integer', required: false },
  { name: 'x', kind: 'number', required: false },
  { name: 'ok', kind: 'boolean', required: false },
];

function memorySink() {
  const chunks: Uint8Array[] = [];
  const state = { committed: false, aborted: false };
  const sink: ObjectSink = {
    write: async (c) => {
      chunks.push(c.slice());
    },
    commit: async () => {
      state.committed = true;
    },
    abort: async () => {
      state.aborted = true;
    },
  };
  const bytes = () => {
    const b = Buffer.concat(chunks);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
  };
  return { sink, state, bytes };
}

describe('ParquetRowWriter', () => {
  it('round-trips every kind, nulls included, across row groups', async () => {
    // Prepare: values at the edges of each kind (negative and 2^40-scale int64, pre-1970 and
    // millisecond timestamps, leap day, non-BMP text), every optional column null in some rows.
    const rows = Array.from({ length: 10 }, (_, i) => ({
      id: `r${i}`,
      note: [undefined, 'پشتیبانی 中文 😀', '', 'ascii first, then پ', 'x'.repeat(40 + i)][i % 5],
      at: i % 4 === 0 ? null : Date.UTC(1969, 11, 31, 23, 59, 59, 999) + i * 86_400_123,
      day: i % 5 === 0 ? undefined : '2024-02-29',
      n: i % 2 === 0 ? null : (i % 3 === 0 ? -1 : 1) * (2 ** 40 + i),
      x: i === 7 ? undefined : i / 4,
      ok: i % 3 === 0 ? undefined : i % 2 === 0,
    }));
    const { sink, state, bytes } = memorySink();
    const writer = new ParquetRowWriter(COLUMNS, sink, {
      rowGroupSize: 4,
      uniqueColumns: ['id'],
      kvMetadata: [{ key: 'servicepulse.source_key', value: 'k' }],
    });

    // Act
    for (const r of rows) await writer.append(r);
    await writer.close();
    const file = bytes();
    const read = await parquetReadObjects({ file });
    const meta = parquetMetadata(file);

    // Assess
    expect(state).toEqual({ committed: true, aborted: false });
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([4, 4, 2]);
    expect(meta.key_value_metadata).toContainEqual({ key: 'servicepulse.source_key', value: 'k' });
    expect(read).toHaveLength(10);
    read.forEach((got, i) => {
      const want = rows[i]!;
      expect(got.id).toBe(want.id);
      expect(got.note ?? undefined).toBe(want.note);
      expect(got.at === null ? null : (got.at as Date).getTime()).toBe(want.at);
      expect(got.day === null ? undefined : (got.day as Date).toISOString().slice(0, 10)).toBe(want.day);
      expect(got.n === null ? null : Number(got.n)).toBe(want.n);
      expect(got.x ?? undefined).toBe(want.x);
      expect(got.ok ?? undefined).toBe(want.ok);
    });
  });

  it('keeps text exactly across buffer growth and row groups sized after the one before', async () => {
    // Prepare: long values (outgrowing the first buffer), nulls, short and empty values, over
    // row groups whose buffers are sized after the previous group's.
    const long = `s3://bucket/landing/generic/calls/${'x'.repeat(200)}/پ.csv`;
    const notes = Array.from({ length: 300 }, (_, i) =>
      i % 7 === 3 ? undefined : i % 50 === 10 ? 'other' : i % 97 === 0 ? '' : long,
    );
    const { sink, bytes } = memorySink();
    const writer = new ParquetRowWriter(COLUMNS.slice(0, 2), sink, { rowGroupSize: 128 });

    // Act
    for (const [i, note] of notes.entries()) await writer.append({ id: `r${i}`, note });
    await writer.close();
    const read = await parquetReadObjects({ file: bytes() });

    // Assess
    expect(read.map((r) => r.note ?? undefined)).toEqual(notes);
  });

  it('writes a valid empty file with the schema when no row was appended', async () => {
    // Prepare
    const { sink, bytes } = memorySink();

    // Act
    await new ParquetRowWriter(COLUMNS, sink).close();
    const meta = parquetMetadata(bytes());

    // Assess
    expect(Number(meta.num_rows)).toBe(0);
    expect(meta.schema.slice(1).map((e) => [e.name, e.repetition_type])).toEqual(
      COLUMNS.map((c) => [c.name, c.required ? 'REQUIRED' : 'OPTIONAL']),
    );
  });

  it('abort leaves nothing committed', async () => {
    // Prepare
    const { sink, state } = memorySink();
    const writer = new ParquetRowWriter(COLUMNS, sink, { rowGroupSize: 2 });
    for (let i = 0; i < 5; i++) await writer.append({ id: `r${i}` });

    // Act
    await writer.abort();

    // Assess
    expect(state).toEqual({ committed: false, aborted: true });
  });
});
