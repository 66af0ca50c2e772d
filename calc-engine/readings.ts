/**
 * Register readings of one metering point as columns, and the reading of an epoch at an
 * instant: the recorded boundary reading, the raw row, or — for a short gap only — a linear
 * interpolation of the register, marked estimated.
 */
import { REGISTER_COUNT } from '../schema/registers.ts';
import type { MeterEpoch } from './epochs.ts';
import { ACTUAL, estimated, missing, type Quality } from './quality.ts';

/** Raw snapshots of one point: `ts` ascending (epoch ms), `values[i*20 + r]` in hundredths, NaN = not read. */
export interface ReadingSeries {
  readonly ts: Float64Array;
  readonly values: Float64Array;
}

/** One raw snapshot as plain data. */
export interface Snapshot {
  readonly ts: number;
  readonly values: ArrayLike<number | null | undefined>;
}

/** Build a series from snapshots (sorted; a later duplicate timestamp wins, as an upsert would). */
export function readingSeries(snapshots: readonly Snapshot[]): ReadingSeries {
  const byTs = new Map<number, Snapshot>();
  for (const s of snapshots) byTs.set(s.ts, s);
  const sorted = [...byTs.values()].sort((a, b) => a.ts - b.ts);
  const ts = new Float64Array(sorted.length);
  const values = new Float64Array(sorted.length * REGISTER_COUNT).fill(NaN);
  sorted.forEach((s, i) => {
    ts[i] = s.ts;
    for (let r = 0; r < REGISTER_COUNT; r++) {
      const v = s.values[r];
      if (typeof v === 'number' && Number.isFinite(v)) values[i * REGISTER_COUNT + r] = v;
    }
  });
  return { ts, values };
}

/** Index of the first row with ts ≥ t. */
export function lowerBound(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where a boundary value came from (the point's record, a raw row, an interpolation). */
export type BoundarySource = 'raw' | 'recorded' | 'interpolated' | 'none';

/** One register's value at an instant. */
export interface RegisterReading {
  readonly value: number;
  readonly quality: Quality;
  readonly source: BoundarySource;
}

const NONE: RegisterReading = { value: NaN, quality: missing('no-reading'), source: 'none' };

function rawEligible(e: MeterEpoch, t: number): boolean {
  if (t < e.from || t > e.to) return false;
  if (t === e.from) return e.rawAtStart;
  if (t === e.to) return e.rawAtEnd;
  return true;
}

const readByEpoch = new WeakMap<ReadingSeries, Map<MeterEpoch, readonly boolean[]>>();

/**
 * Registers the epoch's meter reads: those present in any of its raw rows or recorded readings.
 * A register missing at a window's edge is missing data only when the meter reads it; one it
 * never reads (a meter without tiers) is absent by design. With nothing read, every register counts.
 */
export function epochReadRegisters(s: ReadingSeries, e: MeterEpoch): readonly boolean[] {
  let known = readByEpoch.get(s);
  if (!known) readByEpoch.set(s, (known = new Map()));
  const hit = known.get(e);
  if (hit) return hit;
  const read = new Array<boolean>(REGISTER_COUNT).fill(false);
  let n = 0;
  const mark = (v: number | undefined, r: number): void => {
    if (v !== undefined && !Number.isNaN(v) && !read[r]) (read[r] = true), n++;
  };
  for (const rec of [e.startReading, e.endReading]) if (rec) for (let r = 0; r < REGISTER_COUNT; r++) mark(rec[r], r);
  for (let i = lowerBound(s.ts, e.from); i < s.ts.length && s.ts[i]! <= e.to && n < REGISTER_COUNT; i++) {
    if (rawEligible(e, s.ts[i]!)) for (let r = 0; r < REGISTER_COUNT; r++) mark(s.values[i * REGISTER_COUNT + r], r);
  }
  const out = n === 0 ? read.fill(true) : read;
  known.set(e, out);
  return out;
}

interface Anchor {
  t: number;
  v: number;
}

/** Nearest usable value strictly before (dir −1) or after (dir +1) t, within `reach` ms. */
function anchor(s: ReadingSeries, e: MeterEpoch, t: number, r: number, dir: -1 | 1, reach: number): Anchor | undefined {
  const limit = t + dir * reach;
  let i = lowerBound(s.ts, t);
  if (dir < 0) i -= 1;
  else if (i < s.ts.length && s.ts[i] === t) i += 1;
  for (; i >= 0 && i < s.ts.length; i += dir) {
    const ti = s.ts[i]!;
    if (dir < 0 ? ti < limit : ti > limit) break;
    if (!rawEligible(e, ti)) break;
    const v = s.values[i * REGISTER_COUNT + r]!;
    if (!Number.isNaN(v)) return { t: ti, v };
  }
  const edge = dir < 0 ? e.from : e.to;
  const rec = dir < 0 ? e.startReading : e.endReading;
  const v = rec?.[r];
  if (v !== undefined && !Number.isNaN(v) && (dir < 0 ? edge >= limit && edge < t : edge <= limit && edge > t)) {
    return { t: edge, v };
  }
  return undefined;
}

/**
 * Register `r` of epoch `e` at instant `t`: the epoch's recorded reading at its edges, else the
 * raw row at `t`, else a linear interpolation between the nearest readings on both sides when
 * they are at most `maxGapMs` apart (rounded down to the register step, as a real register shows
 * it), else missing. A decrease between the anchors is not bridged: no energy is invented.
 */
export function epochRegisterAt(s: ReadingSeries, e: MeterEpoch, t: number, r: number, maxGapMs: number): RegisterReading {
  if (t < e.from || t > e.to) return NONE;
  const rec = t === e.from ? e.startReading?.[r] : t === e.to ? e.endReading?.[r] : undefined;
  if (rec !== undefined && !Number.isNaN(rec)) return { value: rec, quality: ACTUAL, source: 'recorded' };
  if (rawEligible(e, t)) {
    const i = lowerBound(s.ts, t);
    if (i < s.ts.length && s.ts[i] === t) {
      const v = s.values[i * REGISTER_COUNT + r]!;
      if (!Number.isNaN(v)) return { value: v, quality: ACTUAL, source: 'raw' };
    }
  }
  if (maxGapMs <= 0) return NONE;
  const a = anchor(s, e, t, r, -1, maxGapMs);
  const b = anchor(s, e, t, r, 1, maxGapMs);
  if (!a || !b || b.t - a.t > maxGapMs) return NONE;
  if (b.v < a.v) return { value: NaN, quality: missing('register-decrease'), source: 'none' };
  const step = (BigInt(b.v - a.v) * BigInt(t - a.t)) / BigInt(b.t - a.t);
  return { value: a.v + Number(step), quality: estimated('linear-interpolation'), source: 'interpolated' };
}
