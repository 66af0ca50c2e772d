/**
 * What the kernel carries across a window's edges, so that a window judges its intervals as a
 * recomputation of a longer span does:
 * - run counters: a frozen reading or a stuck total register is flagged once it has lasted N
 *   intervals, and a run that began before the window goes on counting inside it. Without this,
 *   readings that arrive a few intervals at a time never show N unchanged intervals in one window;
 * - neighbours: a spike is judged against the intervals either side of it and a demand jump
 *   against the one before, so the window's first and last intervals need the deltas beyond it.
 *   Without this, a reading arriving live never made the interval before it a spike.
 */
import { REGISTER_COUNT } from '../schema/registers.ts';
import { lowerBound, type ReadingSeries } from './readings.ts';
import { registerDelta } from './rollover.ts';
import { DEFAULT_INTERVAL_LIMITS, type IntervalLimits } from './rules/interval-limits.ts';

/** Counters per row: unchanged intervals (frozen reading), then per direction a total standing still while its tiers move (stuck). */
export const RUN_COUNTERS = 5;

/** Intervals the counters look back before a window: one less than the longer of the two runs. */
export function carryIntervals(limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS): number {
  return Math.max(limits.frozenIntervals, limits.stuckIntervals) - 1;
}

/** The meter a row reads: register capacity and one interval's maximum, in register steps. */
export interface CarryMeter {
  readonly capacity: number;
  readonly maxSteps: number;
}

/**
 * Write into `out` at `at` the counters the kernel would hold at `from` had it started earlier:
 * consecutive intervals ending at `from` on the grid of `dt`, read from `series`, up to
 * `carryIntervals`, judged on the kernel's deltas (wraps taken, a decrease counted 0) by the
 * kernel's conditions: frozen only on a point that carries load, with a non-zero reading and no
 * register going down. A missing snapshot ends every run. With `direction` 1, the intervals
 * starting at `from` instead: how long runs go on after a window.
 */
export function carriedRuns(series: ReadingSeries, from: number, dt: number, meter: CarryMeter, loaded: boolean, out: Int32Array, at: number,
  limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS, direction: -1 | 1 = -1): void {
  out.fill(0, at, at + RUN_COUNTERS);
  const v = series.values;
  const open = [loaded, true, true, true, true];
  const t = new Float64Array(REGISTER_COUNT);
  let edge = fullSnapshot(series, from);
  for (let k = 1; k <= carryIntervals(limits) && edge >= 0 && open.includes(true); k++) {
    const next = fullSnapshot(series, from + direction * k * dt);
    if (next < 0) break;
    // The interval between the two snapshots: `cur` its end, `prev` its start.
    const [prev, cur] = direction < 0 ? [next, edge] : [edge, next];
    const decrease = kernelDeltas(v, prev, cur, meter, t);
    const moved = t.reduce((a, b) => a + b, 0);
    if (open[0] && moved === 0 && !decrease && v[cur]! > 0) out[at]!++;
    else open[0] = false;
    for (let d = 0; d < 4; d++) {
      if (open[d + 1] && t[d * 5] === 0 && t[d * 5 + 1]! + t[d * 5 + 2]! + t[d * 5 + 3]! + t[d * 5 + 4]! > 0) out[at + d + 1]!++;
      else open[d + 1] = false;
    }
    edge = next;
  }
}

/**
 * The kernel's 20 deltas between the snapshots at `a` and `b` of `v` into `out`: a wrap taken up
 * to the interval's maximum, a decrease counted 0. True when a register went down.
 */
function kernelDeltas(v: Float64Array, a: number, b: number, meter: CarryMeter, out: Float64Array): boolean {
  let decrease = false;
  for (let r = 0; r < REGISTER_COUNT; r++) {
    const x = registerDelta(v[a + r]!, v[b + r]!, meter.capacity, meter.maxSteps);
    if (x.kind === 'decrease') decrease = true;
    out[r] = x.delta;
  }
  return decrease;
}

/** Where the snapshot at `t` starts in `series.values`, or -1 when there is none read in full (the kernel's "present"). */
function fullSnapshot(series: ReadingSeries, t: number): number {
  const { ts, values: v } = series;
  const i = lowerBound(ts, t);
  if (ts[i] !== t) return -1;
  for (let r = 0; r < REGISTER_COUNT; r++) if (Number.isNaN(v[i * REGISTER_COUNT + r]!)) return -1;
  return i * REGISTER_COUNT;
}

/** Neighbour deltas per row before a window: active import of the interval before it and the one before that, then the same for export. */
export const NEIGHBOURS_BEFORE = 4;
/** Neighbour deltas per row after a window: active import, then export, of the interval after it. */
export const NEIGHBOURS_AFTER = 2;

/** Intervals a window's look-back and look-ahead reach for the carried runs and neighbours. */
export function carryReach(limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS): number {
  return Math.max(carryIntervals(limits), 2);
}

/**
 * The kernel's active import and export deltas of (t0, t1]: null when a snapshot was not read in
 * full; `decrease` when a register went down (the kernel then forgets its neighbours).
 */
function intervalSteps(series: ReadingSeries, t0: number, t1: number, meter: CarryMeter): { imp: number; exp: number; decrease: boolean } | null {
  const a = fullSnapshot(series, t0), b = fullSnapshot(series, t1);
  if (a < 0 || b < 0) return null;
  const t = new Float64Array(REGISTER_COUNT);
  const decrease = kernelDeltas(series.values, a, b, meter, t);
  return { imp: t[0]!, exp: t[5]!, decrease };
}

/**
 * Write into `out` at `at` the neighbours the kernel would hold at `from` had it started earlier:
 * [imp1, imp2, exp1, exp2] of the interval ending at `from` and the one before it, -1 where it
 * holds none. Asked only where one meter under one multiplier reads the look-back.
 */
export function neighboursBefore(series: ReadingSeries, from: number, dt: number, meter: CarryMeter, out: Float64Array, at: number): void {
  out.fill(-1, at, at + NEIGHBOURS_BEFORE);
  const last = intervalSteps(series, from - dt, from, meter);
  if (!last || last.decrease) return;
  out[at] = last.imp;
  out[at + 2] = last.exp;
  const first = intervalSteps(series, from - 2 * dt, from - dt, meter);
  if (first && !first.decrease) (out[at + 1] = first.imp), (out[at + 3] = first.exp);
}

/** Write into `out` at `at` the active import and export of the interval after `to` (-1 when it was not read in full). */
export function neighboursAfter(series: ReadingSeries, to: number, dt: number, meter: CarryMeter, out: Float64Array, at: number): void {
  const next = intervalSteps(series, to, to + dt, meter);
  out[at] = next ? next.imp : -1;
  out[at + 1] = next ? next.exp : -1;
}
