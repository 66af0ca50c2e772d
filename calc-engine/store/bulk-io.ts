/**
 * Input of the bulk recompute (bulk.ts): raw readings of a chunk of points streamed out with
 * `COPY (SELECT …) TO STDOUT (FORMAT binary)` and decoded straight from bytes into the engine's
 * columns (no per-value strings or objects); registers stay integers throughout.
 */
import { to as copyTo } from 'pg-copy-streams';
import { REGISTER_COLUMNS, REGISTER_COUNT, type Database } from '../../schema/index.ts';
import type { ReadingSeries } from '../readings.ts';
import { instant, literal, textArray } from './literal.ts';
import { PG_EPOCH_MS } from './bulk-copy.ts';

/** A window of raw readings to load: [from, to] of one point, epoch ms. */
export interface ReadWindow {
  pointId: string;
  from: number;
  to: number;
  /** Readings expected in it (one per interval and one more): the columns are sized for them at once. */
  rows?: number;
}


function selectText(windows: readonly ReadWindow[]): string {
  const cols = `point_id, ts, ${REGISTER_COLUMNS.join(', ')}`;
  const [first] = windows;
  if (windows.every((w) => w.from === first!.from && w.to === first!.to)) {
    // One window for all (a full recompute): one scan, bitmap or sequential as the planner sees fit.
    // Unsorted: rows come in heap order and are put in time order per point here (`series`),
    // which spares the server a sort of the whole chunk.
    return `SELECT ${cols} FROM reading WHERE point_id = ANY(${textArray(windows.map((w) => w.pointId))})
      AND ts >= ${instant(first!.from)} AND ts <= ${instant(first!.to)}`;
  }
  // Many small windows (dirty ranges): LATERAL with OFFSET 0 keeps one index range scan per
  // window; as a plain join the planner hashes the windows and scans the whole table. No ORDER
  // BY: `series` puts each point in time order, and the server's sort of a chunk spilled to disk.
  const values = windows.map((w) => `(${literal(w.pointId)}, ${instant(w.from)}, ${instant(w.to)})`).join(',');
  return `SELECT r.* FROM (VALUES ${values}) AS w(p, a, b) CROSS JOIN LATERAL (
      SELECT ${cols} FROM reading WHERE point_id = w.p AND ts >= w.a AND ts <= w.b OFFSET 0) AS r`;
}

/** Growable columns of one point while parsing. */
class Columns {
  ts: Float64Array;
  values: Float64Array;
  n = 0;
  constructor(capacity = 256) {
    this.ts = new Float64Array(capacity); // a hint: `push` grows from any size, 0 included
    this.values = new Float64Array(capacity * REGISTER_COUNT);
  }
  push(t: number): number {
    if (this.n === this.ts.length) {
      const ts = new Float64Array(Math.max(16, this.ts.length * 2));
      ts.set(this.ts);
      const v = new Float64Array(ts.length * REGISTER_COUNT);
      v.set(this.values);
      this.ts = ts;
      this.values = v;
    }
    this.ts[this.n] = t;
    return this.n++ * REGISTER_COUNT;
  }
  /** The rows in time order, each timestamp once. */
  series(): ReadingSeries {
    const n = this.n;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = this.ts[i - 1]! < this.ts[i]!;
    if (sorted) return { ts: this.ts.subarray(0, n), values: this.values.subarray(0, n * REGISTER_COUNT) };
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.ts[a]! - this.ts[b]!);
    const ts = new Float64Array(n);
    const values = new Float64Array(n * REGISTER_COUNT);
    let m = 0;
    for (const i of order) {
      if (m > 0 && ts[m - 1] === this.ts[i]) continue;
      ts[m] = this.ts[i]!;
      values.set(this.values.subarray(i * REGISTER_COUNT, (i + 1) * REGISTER_COUNT), m * REGISTER_COUNT);
      m++;
    }
    return { ts: ts.subarray(0, m), values: values.subarray(0, m * REGISTER_COUNT) };
  }
}

const SIGNATURE = 11; // 'PGCOPY\n\xff\r\n\0', then flags (4) and the header extension's length (4)

/**
 * Parse binary COPY tuples `point, ts, r0 … r19` from `buf` at `i` into columns per point, in
 * any order (`series` sorts); returns where the first incomplete tuple starts (or the end). A
 * row repeated right away (overlapping windows) is kept once. Binary, because the server then
 * sends int8 as they are stored (no digits to format) and here they are two 32-bit loads:
 * integers below 2^53, exact.
 */
function parseTuples(buf: Buffer, i: number, out: Map<string, Columns>): number {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const n = buf.length;
  let lastId = '';
  let cols: Columns | undefined;
  while (i + 2 <= n) {
    const fields = view.getInt16(i);
    if (fields === -1) return n; // trailer
    // Whole tuple here? Otherwise it waits for the next part of the stream.
    let end = i + 2, f = 0;
    for (; f < fields && end + 4 <= n; f++) end += 4 + Math.max(0, view.getInt32(end));
    if (f < fields || end > n) return i;
    i += 2;
    const idLen = view.getInt32(i);
    const id = buf.toString('latin1', i + 4, i + 4 + idLen);
    i += 4 + idLen;
    if (id !== lastId) {
      lastId = id;
      cols = out.get(id);
      if (!cols) out.set(id, (cols = new Columns()));
    }
    // ts: µs since 2000 as hi·2^32 + lo; ms = hi·4 294 967 + ⌊(hi·296 + lo) / 1000⌋, exact in doubles
    const hi = view.getInt32(i + 4), lo = view.getUint32(i + 8);
    const t = hi * 4_294_967 + Math.floor((hi * 296 + lo) / 1000) + PG_EPOCH_MS;
    i += 12;
    const c = cols!;
    const base = c.n > 0 && c.ts[c.n - 1] === t ? (c.n - 1) * REGISTER_COUNT : c.push(t);
    const values = c.values;
    for (let r = 0; r < REGISTER_COUNT; r++) {
      if (view.getInt32(i) === -1) {
        values[base + r] = NaN;
        i += 4;
      } else {
        values[base + r] = view.getInt32(i + 4) * 4_294_967_296 + view.getUint32(i + 8);
        i += 12;
      }
    }
  }
  return i;
}

/** Raw readings of the windows as one series per point (points without rows get an empty series); needs COPY. */
export async function readWindows(handle: Database, windows: readonly ReadWindow[]): Promise<Map<string, ReadingSeries>> {
  // Sized from the windows: growing by doubling would copy and zero a point's columns four times.
  const expected = new Map<string, number>();
  for (const w of windows) expected.set(w.pointId, (expected.get(w.pointId) ?? 0) + (w.rows ?? 0));
  const cols = new Map([...expected].map(([id, n]) => [id, new Columns(Math.ceil(n))]));
  if (windows.length > 0) {
    const client = await handle.pool.connect();
    try {
      // Decoded as the bytes arrive, whole tuples at a time: no copy of the chunk's data is kept.
      let rest = Buffer.alloc(0);
      let header = true;
      for await (const part of client.query(copyTo(`COPY (${selectText(windows)}) TO STDOUT (FORMAT binary)`))) {
        let data = rest.length > 0 ? Buffer.concat([rest, part as Buffer]) : (part as Buffer);
        if (header) {
          if (data.length < SIGNATURE + 8) {
            rest = Buffer.from(data);
            continue;
          }
          data = data.subarray(SIGNATURE + 8 + data.readUInt32BE(SIGNATURE + 4));
          header = false;
        }
        rest = Buffer.from(data.subarray(parseTuples(data, 0, cols)));
      }
    } finally {
      client.release();
    }
  }
  const out = new Map<string, ReadingSeries>();
  for (const w of windows) out.set(w.pointId, cols.get(w.pointId)?.series() ?? { ts: new Float64Array(0), values: new Float64Array(0) });
  return out;
}
