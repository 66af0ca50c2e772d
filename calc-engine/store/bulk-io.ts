/**
 * Input of the bulk recompute (bulk.ts): raw readings of a chunk of points streamed out with
 * `COPY (SELECT …) TO STDOUT` and parsed straight from bytes into the engine's columns (no
 * per-value strings or objects); registers stay integers throughout. Point ids are taken as
 * plain text (COPY escapes only backslashes, tabs and newlines, which ids do not hold).
 */
import { to as copyTo } from 'pg-copy-streams';
import { REGISTER_COLUMNS, REGISTER_COUNT, type Database } from '../../schema/index.ts';
import type { ReadingSeries } from '../readings.ts';

/** A window of raw readings to load: [from, to] of one point, epoch ms. */
export interface ReadWindow {
  pointId: string;
  from: number;
  to: number;
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const iso = (t: number) => lit(new Date(t).toISOString());

function selectText(windows: readonly ReadWindow[]): string {
  const cols = `point_id, (extract(epoch FROM ts) * 1000)::bigint AS ms, ${REGISTER_COLUMNS.join(', ')}`;
  const [first] = windows;
  if (windows.every((w) => w.from === first!.from && w.to === first!.to)) {
    // One window for all (a full recompute): one scan, bitmap or sequential as the planner sees fit.
    // Unsorted: rows come in heap order and are put in time order per point here (`series`),
    // which spares the server a sort of the whole chunk.
    return `SELECT ${cols} FROM reading WHERE point_id = ANY(ARRAY[${windows.map((w) => lit(w.pointId)).join(',')}]::text[])
      AND ts >= ${iso(first!.from)} AND ts <= ${iso(first!.to)}`;
  }
  // Many small windows (dirty ranges): LATERAL with OFFSET 0 keeps one index range scan per
  // window; as a plain join the planner hashes the windows and scans the whole table.
  const values = windows.map((w) => `(${lit(w.pointId)}, ${iso(w.from)}::timestamptz, ${iso(w.to)}::timestamptz)`).join(',');
  return `SELECT r.* FROM (VALUES ${values}) AS w(p, a, b) CROSS JOIN LATERAL (
      SELECT ${cols} FROM reading WHERE point_id = w.p AND ts >= w.a AND ts <= w.b OFFSET 0) AS r
    ORDER BY r.point_id, r.ms`;
}

/** Growable columns of one point while parsing. */
class Columns {
  ts = new Float64Array(256);
  values = new Float64Array(256 * REGISTER_COUNT);
  n = 0;
  push(t: number): number {
    if (this.n === this.ts.length) {
      const ts = new Float64Array(this.ts.length * 2);
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

/**
 * Parse COPY text rows `point \t ms \t r0 … r19` (integers or \N) into columns per point, in
 * any order (`series` sorts). A row repeated right away (overlapping windows) is kept once.
 */
function parseRows(buf: Buffer, out: Map<string, Columns>): void {
  let i = 0;
  const n = buf.length;
  let lastId = '';
  let cols: Columns | undefined;
  while (i < n) {
    let j = i;
    while (buf[j] !== 9) j++;
    const id = buf.toString('latin1', i, j);
    if (id !== lastId) {
      lastId = id;
      cols = out.get(id);
      if (!cols) out.set(id, (cols = new Columns()));
    }
    i = j + 1;
    let t = 0;
    for (let c = buf[i]!; c !== 9; c = buf[++i]!) t = t * 10 + (c - 48);
    i++;
    const dup = cols!.n > 0 && cols!.ts[cols!.n - 1] === t;
    const base = dup ? (cols!.n - 1) * REGISTER_COUNT : cols!.push(t);
    for (let r = 0; r < REGISTER_COUNT; r++) {
      let v = 0;
      let c = buf[i]!;
      if (c === 92) { v = NaN; i += 2; c = buf[i]!; }
      else for (; c !== 9 && c !== 10; c = buf[++i]!) v = v * 10 + (c - 48);
      cols!.values[base + r] = v;
      i++;
    }
  }
}

/** Raw readings of the windows as one series per point (points without rows get an empty series); needs COPY. */
export async function readWindows(handle: Database, windows: readonly ReadWindow[]): Promise<Map<string, ReadingSeries>> {
  const cols = new Map<string, Columns>();
  if (windows.length > 0) {
    const client = await handle.pool.connect();
    try {
      // Parsed as the bytes arrive, whole lines at a time: no copy of the chunk's text is kept.
      let rest = Buffer.alloc(0);
      for await (const part of client.query(copyTo(`COPY (${selectText(windows)}) TO STDOUT`))) {
        const data = rest.length > 0 ? Buffer.concat([rest, part as Buffer]) : (part as Buffer);
        const end = data.lastIndexOf(10) + 1;
        if (end > 0) parseRows(data.subarray(0, end), cols);
        rest = Buffer.from(data.subarray(end));
      }
    } finally {
      client.release();
    }
  }
  const out = new Map<string, ReadingSeries>();
  for (const w of windows) out.set(w.pointId, cols.get(w.pointId)?.series() ?? { ts: new Float64Array(0), values: new Float64Array(0) });
  return out;
}
