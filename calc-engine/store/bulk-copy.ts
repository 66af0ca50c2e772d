/**
 * Output of the bulk recompute (bulk.ts): interval rows as binary COPY tuples straight into
 * interval_energy (after deleting their window), days and months with `bulkUpsert`, one
 * transaction per chunk. Energies are encoded from exact integers, never through floats.
 */
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { REGISTER_COLUMNS, REGISTER_COUNT, type Database } from '../../schema/index.ts';
import type { EnergyFigure } from '../figure.ts';
import type { PeriodFigure } from '../daily.ts';
import { ratToDecimal } from '../rational.ts';
import { lockIntervals, rowQuality, savePeriods } from './save.ts';

/** Columns of interval_energy in the order the COPY tuples carry them. */
export const INTERVAL_COPY_COLUMNS = ['point_id', 'ts', ...REGISTER_COLUMNS, 'quality', 'method', 'source_from', 'source_to'];

const PG_EPOCH_MS = 946_684_800_000; // 2000-01-01, where binary timestamps count from

/**
 * A growable buffer of binary COPY tuples. Binary, because parsing millions of numeric and
 * timestamp texts was most of the server's work; numerics are built from exact integers.
 */
export class CopyBinary {
  private buf = Buffer.allocUnsafe(1 << 20);
  private pos = 0;
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  private i16(v: number): void {
    this.buf[this.pos++] = (v >> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
  }
  private i32(v: number): void {
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }
  /** The COPY header (once, first). */
  header(): void {
    this.bytes(Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'));
    this.ensure(8);
    this.i32(0);
    this.i32(0);
  }
  /** The end-of-data marker (once, last). */
  trailer(): void {
    this.ensure(2);
    this.i16(-1);
  }
  /** Start a tuple of `fields` fields. */
  tuple(fields: number): void {
    this.ensure(2);
    this.i16(fields);
  }
  /** Raw bytes (a field prepared with `field`). */
  bytes(b: Buffer): void {
    this.ensure(b.length);
    this.pos += b.copy(this.buf, this.pos);
  }
  /** A NULL field. */
  null(): void {
    this.ensure(4);
    this.i32(-1);
  }
  /**
   * A numeric field of `scaled` / 10 000 with display scale 4 (so 12 345 hundredths, scaled
   * 1 234 500, reads back as 123.4500, exactly what the figure path stores).
   */
  numeric4(scaled: number): void {
    if (!Number.isSafeInteger(scaled)) throw new RangeError(`numeric out of exact range: ${scaled}`);
    this.ensure(4 + 8 + 2 * 5);
    const neg = scaled < 0;
    let whole = Math.floor(Math.abs(scaled) / 10_000);
    const frac = Math.abs(scaled) - whole * 10_000;
    // base-10 000 digits of the whole part, most significant first (at most 4 for a safe integer)
    let n = 0;
    const d = [0, 0, 0, 0];
    while (whole > 0) {
      const q = Math.floor(whole / 10_000);
      d[3 - n++] = whole - q * 10_000;
      whole = q;
    }
    const ndigits = n + (frac > 0 ? 1 : 0);
    this.i32(8 + 2 * ndigits);
    this.i16(ndigits);
    this.i16(n > 0 ? n - 1 : -1);
    this.i16(neg && ndigits > 0 ? 0x4000 : 0);
    this.i16(4);
    for (let k = 4 - n; k < 4; k++) this.i16(d[k]!);
    if (frac > 0) this.i16(frac);
  }
  /** The bytes so far (a copy), and start over. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }
}

/** A text field, length-prefixed, to append with `bytes`. */
export function textField(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  const b = Buffer.allocUnsafe(4 + body.length);
  b.writeInt32BE(body.length, 0);
  body.copy(b, 4);
  return b;
}

/** A timestamptz field (µs since 2000-01-01 UTC), to append with `bytes`. */
export function timestampField(ms: number): Buffer {
  const b = Buffer.allocUnsafe(12);
  b.writeInt32BE(8, 0);
  b.writeBigInt64BE(BigInt(ms - PG_EPOCH_MS) * 1000n, 4);
  return b;
}

const ACTUAL = textField('actual');

/** A whole interval tuple from the columnar path: energies in hundredths (`deltas[d…d+19]` × m), actual. */
export function columnarTuple(out: CopyBinary, id: Buffer, start: Buffer, end: Buffer, deltas: Uint32Array, d: number, m: number): void {
  out.tuple(INTERVAL_COPY_COLUMNS.length);
  out.bytes(id);
  out.bytes(end);
  for (let r = 0; r < REGISTER_COUNT; r++) out.numeric4(deltas[d + r]! * m * 100);
  out.bytes(ACTUAL);
  out.null();
  out.bytes(start);
  out.bytes(end);
}

/** An interval tuple of a figure from the figure path (the same cells save.ts writes). */
export function figureTuple(out: CopyBinary, f: EnergyFigure): void {
  out.tuple(INTERVAL_COPY_COLUMNS.length);
  out.bytes(textField(f.pointId));
  out.bytes(timestampField(f.to));
  for (const r of f.registers) {
    if (r.energy === null) out.null();
    else out.numeric4(Number(ratToDecimal(r.energy, 4, 2).replace('.', '')));
  }
  const q = rowQuality(f);
  out.bytes(textField(q.kind));
  const method = q.kind === 'estimated' ? q.methods.join(',') : q.kind === 'missing' ? q.reasons.join(',') : null;
  if (method === null) out.null();
  else out.bytes(textField(method));
  const src = f.sources.filter((s) => s.role === 'own' || s.role === 'bypass');
  if (src.length === 0) {
    out.null();
    out.null();
  } else {
    out.bytes(timestampField(Math.min(...src.map((s) => s.from))));
    out.bytes(timestampField(Math.max(...src.map((s) => s.to))));
  }
}

/**
 * Replace the interval rows of `points` with ends in (from, to] by the binary COPY data
 * `chunks` (header first, trailer last), inside the client's open transaction. The data carries
 * every grid interval of those windows, so deleting the windows and copying straight into the
 * table leaves the same rows an upsert would, without staging every row twice.
 */
export async function replaceIntervals(client: pg.PoolClient, windows: readonly { points: string[]; from: number; to: number }[], chunks: Iterable<Buffer>): Promise<void> {
  // One statement per window (points sharing it together), each an index range scan; a join
  // against all windows would let the planner scan the whole table.
  for (const w of windows) {
    await client.query('DELETE FROM interval_energy WHERE point_id = ANY($1::text[]) AND ts > $2 AND ts <= $3', [w.points, new Date(w.from), new Date(w.to)]);
  }
  await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY interval_energy (${INTERVAL_COPY_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`)));
}

/** Write one chunk's intervals, days and months in one transaction. */
export async function writeChunk(handle: Database, windows: { points: string[]; from: number; to: number }[], tuples: Iterable<Buffer>, days: PeriodFigure[], months: PeriodFigure[]): Promise<void> {
  const client = await handle.pool.connect();
  try {
    await client.query('BEGIN');
    await lockIntervals(client, windows.flatMap((w) => w.points));
    await replaceIntervals(client, windows, tuples);
    await savePeriods(client, handle.copy, 'daily_energy', days);
    await savePeriods(client, handle.copy, 'monthly_energy', months);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
