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
import { lockIntervalsSql, rowQuality, savePeriods } from './save.ts';
import { instant, textArray } from './literal.ts';
import { holdScheme } from './load.ts';
import type { StatisticalScheme } from '../scheme.ts';

/** Columns of interval_energy in the order the COPY tuples carry them. */
export const INTERVAL_COPY_COLUMNS = ['point_id', 'ts', ...REGISTER_COLUMNS, 'quality', 'method', 'source_from', 'source_to'];

/** 2000-01-01 UTC in epoch ms, where binary timestamps count from. */
export const PG_EPOCH_MS = 946_684_800_000;

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
  numeric4(scaled: number | bigint): void {
    if (typeof scaled === 'number' && Number.isSafeInteger(scaled)) {
      this.ensure(MAX_NUMERIC);
      this.pos = writeNumeric4(this.buf, this.pos, scaled);
      return;
    }
    // Beyond 2^53 (an implausible reading × a large multiplier): base-10 000 digits by BigInt.
    if (typeof scaled === 'number') throw new RangeError(`numeric out of exact range: ${scaled}; pass it as a bigint`);
    const neg = scaled < 0n;
    let whole = (neg ? -scaled : scaled) / 10_000n;
    const frac = Number((neg ? -scaled : scaled) % 10_000n);
    const digits: number[] = [];
    for (; whole > 0n; whole /= 10_000n) digits.unshift(Number(whole % 10_000n));
    const n = digits.length;
    if (frac > 0) digits.push(frac);
    this.ensure(4 + 8 + 2 * digits.length);
    this.i32(8 + 2 * digits.length);
    this.i16(digits.length);
    this.i16(n - 1);
    this.i16(neg && digits.length > 0 ? 0x4000 : 0);
    this.i16(4);
    for (const d of digits) this.i16(d);
  }
  /**
   * A whole interval row of the columnar path, written in place: energies in hundredths
   * (`deltas[d…d+19]` × m), actual, sources the interval itself. `id`, `start` and `end` are
   * prepared fields (`textField`, `timestampField`). The hot loop of a full recompute: no
   * per-field calls or copies.
   */
  intervalRow(id: Buffer, start: Buffer, end: Buffer, deltas: Uint32Array, d: number, m: number): void {
    if (m * 100 * 0xffff_ffff > Number.MAX_SAFE_INTEGER) return this.intervalRowExact(id, start, end, deltas, d, m);
    this.ensure(2 + id.length + 36 + REGISTER_COUNT * MAX_NUMERIC + ACTUAL.length + 4);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 0;
    b[p++] = INTERVAL_COPY_COLUMNS.length;
    for (let k = 0; k < id.length; k++) b[p++] = id[k]!;
    for (let k = 0; k < 12; k++) b[p++] = end[k]!;
    const scale = m * 100;
    for (let r = 0; r < REGISTER_COUNT; r++) p = writeNumeric4(b, p, deltas[d + r]! * scale);
    for (let k = 0; k < ACTUAL.length; k++) b[p++] = ACTUAL[k]!;
    b[p++] = 0xff; b[p++] = 0xff; b[p++] = 0xff; b[p++] = 0xff; // method: NULL
    for (let k = 0; k < 12; k++) b[p++] = start[k]!;
    for (let k = 0; k < 12; k++) b[p++] = end[k]!;
    this.pos = p;
  }
  /** `intervalRow` for multipliers so large that a delta × M could pass 2^53: energies by BigInt. */
  private intervalRowExact(id: Buffer, start: Buffer, end: Buffer, deltas: Uint32Array, d: number, m: number): void {
    this.tuple(INTERVAL_COPY_COLUMNS.length);
    this.bytes(id);
    this.bytes(end);
    for (let r = 0; r < REGISTER_COUNT; r++) this.numeric4(BigInt(deltas[d + r]!) * BigInt(m) * 100n);
    this.bytes(ACTUAL);
    this.null();
    this.bytes(start);
    this.bytes(end);
  }
  /** The bytes so far, and start over in a fresh buffer (handed over, not copied). */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(Math.max(1 << 16, this.pos + (this.pos >> 2)));
    this.pos = 0;
    return out;
  }
}

const MAX_NUMERIC = 4 + 8 + 2 * 5; // length, header, base-10 000 digits: 3 whole ones below 2^53 / 10^4, a fraction's, one spare

/**
 * Write a binary numeric of `scaled` / 10 000, display scale 4, at `p`; returns the end. Digits
 * are base 10 000, most significant first: the whole part's (at most 3 for a safe integer),
 * then the fraction's one if non-zero.
 */
function writeNumeric4(b: Buffer, p: number, scaled: number): number { // scaled: a safe integer (callers check)
  const neg = scaled < 0;
  const abs = neg ? -scaled : scaled;
  let whole = Math.floor(abs / 10_000);
  const frac = abs - whole * 10_000;
  let n = 0;
  let d0 = 0, d1 = 0, d2 = 0, d3 = 0; // d3 least significant
  while (whole > 0) {
    const q = Math.floor(whole / 10_000);
    const digit = whole - q * 10_000;
    if (n === 0) d3 = digit; else if (n === 1) d2 = digit; else if (n === 2) d1 = digit; else d0 = digit;
    n++;
    whole = q;
  }
  const ndigits = n + (frac > 0 ? 1 : 0);
  const len = 8 + 2 * ndigits;
  b[p++] = 0; b[p++] = 0; b[p++] = len >> 8; b[p++] = len & 0xff;
  b[p++] = 0; b[p++] = ndigits;
  const weight = n - 1; // -1 when there is only a fraction
  b[p++] = (weight >> 8) & 0xff; b[p++] = weight & 0xff;
  b[p++] = neg && ndigits > 0 ? 0x40 : 0; b[p++] = 0;
  b[p++] = 0; b[p++] = 4;
  if (n >= 4) (b[p++] = d0 >> 8), (b[p++] = d0 & 0xff);
  if (n >= 3) (b[p++] = d1 >> 8), (b[p++] = d1 & 0xff);
  if (n >= 2) (b[p++] = d2 >> 8), (b[p++] = d2 & 0xff);
  if (n >= 1) (b[p++] = d3 >> 8), (b[p++] = d3 & 0xff);
  if (frac > 0) (b[p++] = frac >> 8), (b[p++] = frac & 0xff);
  return p;
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

/** An interval tuple of a figure from the figure path (the same cells save.ts writes). */
export function figureTuple(out: CopyBinary, f: EnergyFigure): void {
  out.tuple(INTERVAL_COPY_COLUMNS.length);
  out.bytes(textField(f.pointId));
  out.bytes(timestampField(f.to));
  for (const r of f.registers) {
    if (r.energy === null) out.null();
    else {
      const scaled = ratToDecimal(r.energy, 4, 2).replace('.', '');
      out.numeric4(scaled.length <= 15 ? Number(scaled) : BigInt(scaled)); // 15 digits and a sign: always below 2^53
    }
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
 * Take the interval rows of the windows' points (`lockIntervals`) and replace those with ends in
 * (from, to] by the binary COPY data `chunks` (header first, trailer last), inside the client's
 * open transaction. The data carries
 * every grid interval of those windows, so deleting the windows and copying straight into the
 * table leaves the same rows an upsert would, without staging every row twice.
 */
export async function replaceIntervals(client: pg.PoolClient, windows: readonly { points: string[]; from: number; to: number }[], chunks: Iterable<Buffer>): Promise<void> {
  // One statement per window (points sharing it together), each an index range scan — a join
  // against all windows would let the planner scan the whole table — all sent in one round trip
  // with the lock that guards them.
  await client.query([
    lockIntervalsSql(windows.flatMap((w) => w.points)),
    ...windows.map((w) => `DELETE FROM interval_energy WHERE point_id = ANY(${textArray(w.points)}) AND ts > ${instant(w.from)} AND ts <= ${instant(w.to)}`),
  ].join(';\n'));
  await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY interval_energy (${INTERVAL_COPY_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`)));
}

/** Write one chunk's intervals, days and months, computed under `scheme`, in one transaction. */
export async function writeChunk(handle: Database, scheme: StatisticalScheme, windows: { points: string[]; from: number; to: number }[], tuples: Iterable<Buffer>, days: PeriodFigure[], months: PeriodFigure[]): Promise<void> {
  const client = await handle.pool.connect();
  try {
    await client.query('BEGIN');
    await holdScheme(client, scheme);
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
