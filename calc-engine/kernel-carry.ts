/**
 * What the kernel carries across a window's edges, so that a window judges its intervals as a
 * recomputation of a longer span does:
 * - run counters: a frozen reading or a stuck total register is flagged once it has lasted N
 *   intervals, and a run that began before the window goes on counting inside it. Without this,
 *   readings that arrive a few intervals at a time never show N unchanged intervals in one window;
 * - neighbours: a spike is judged against the intervals either side of it and a demand jump
 *   against the one before, so the window's first and last intervals need the deltas beyond it.
 *   Without this, a reading arriving live never made the interval before it a spike.
 * Both are read through a `RowSource`: the readings as the kernel's row holds them, inside its
 * meter epoch, so a carried value is the one the kernel over the longer span would have seen.
 */
import { REGISTER_COUNT } from '../schema/registers.ts';
import type { MeterEpoch } from './epochs.ts';
import { epochRegisterAt, lowerBound, type ReadingSeries } from './readings.ts';
import { registerDelta } from './rollover.ts';
import { checkedSnapshot } from './unread-registers.ts';
import { DEFAULT_INTERVAL_LIMITS, type IntervalLimits } from './rules/interval-limits.ts';
import type { PointConfig } from './point.ts';

/** One kernel row's readings beyond its window, as the row holds them. */
export interface RowSource {
  /** Register capacity (wrap point) in steps. */
  readonly capacity: number;
  /** One interval's maximum in steps. */
  readonly maxSteps: number;
  /** Whether (a, b] is an interval of the row: inside its meter epoch. */
  active(a: number, b: number): boolean;
  /** Fill `out` with the row's 20 values at grid instant `t`; false where it holds none read in full. */
  snapshot(t: number, out: Float64Array): boolean;
}

/** A row of one meter over all of `series` (the bulk path's columnar points: one epoch covers every loaded reading). */
export function seriesSource(series: ReadingSeries, capacity: number, maxSteps: number): RowSource {
  return {
    capacity, maxSteps,
    active: () => true,
    snapshot: (t, out) => {
      const i = lowerBound(series.ts, t);
      if (series.ts[i] !== t) return false;
      for (let r = 0; r < REGISTER_COUNT; r++) if (Number.isNaN((out[r] = series.values[i * REGISTER_COUNT + r]!))) return false;
      return true;
    },
  };
}

/** A row of one meter epoch, read as `pointChunk` lays it out: instants clamped into the epoch, its recorded edge readings preferred. */
export function epochSource(series: ReadingSeries, e: MeterEpoch, maxSteps: number, read: readonly boolean[]): RowSource {
  const raw = new Float64Array(REGISTER_COUNT);
  return {
    capacity: e.capacity, maxSteps,
    active: (a, b) => b > e.from && a < e.to,
    snapshot: (t, out) => {
      const at = Math.min(Math.max(t, e.from), e.to);
      for (let r = 0; r < REGISTER_COUNT; r++) raw[r] = epochRegisterAt(series, e, at, r, 0).value;
      return checkedSnapshot(raw, 0, read, out) !== null;
    },
  };
}

/** Counters per row: unchanged intervals (frozen reading), then per direction a total standing still while its tiers move (stuck). */
export const RUN_COUNTERS = 5;

/** Intervals the counters look back before a window: one less than the longer of the two runs. */
export function carryIntervals(limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS): number {
  return Math.max(limits.frozenIntervals, limits.stuckIntervals) - 1;
}

// Snapshots of the interval being read (single-threaded, never re-entered).
const SCRATCH_A = new Float64Array(REGISTER_COUNT), SCRATCH_B = new Float64Array(REGISTER_COUNT), SCRATCH_D = new Float64Array(REGISTER_COUNT);

/**
 * The kernel's 20 deltas of the interval (a, b] of a row into `out` (a wrap taken up to the
 * interval's maximum, a decrease counted 0), with its end's total active import and whether a
 * register went down; null where the kernel holds no interval (outside the epoch, a snapshot
 * not read in full), which ends runs and forgets neighbours.
 */
function kernelInterval(src: RowSource, a: number, b: number, out: Float64Array): { end: number; decrease: boolean } | null {
  const x = SCRATCH_A, y = SCRATCH_B;
  if (!src.active(a, b) || !src.snapshot(a, x) || !src.snapshot(b, y)) return null;
  let decrease = false;
  for (let r = 0; r < REGISTER_COUNT; r++) {
    const d = registerDelta(x[r]!, y[r]!, src.capacity, src.maxSteps);
    if (d.kind === 'decrease') decrease = true;
    out[r] = d.delta;
  }
  return { end: y[0]!, decrease };
}

/**
 * Write into `out` at `at` the counters the kernel would hold at `from` had it started earlier:
 * consecutive intervals ending at `from` on the grid of `dt`, up to `carryIntervals`, judged by
 * the kernel's conditions on its deltas: frozen only on a point that carries load, with a
 * non-zero reading and no register going down. With `direction` 1, the intervals starting at
 * `from` instead: how long runs go on after a window.
 */
export function carriedRuns(src: RowSource, from: number, dt: number, loaded: boolean, out: Int32Array, at: number,
  limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS, direction: -1 | 1 = -1): void {
  out.fill(0, at, at + RUN_COUNTERS);
  const open = [loaded, true, true, true, true];
  const t = SCRATCH_D;
  for (let k = 0; k < carryIntervals(limits) && open.includes(true); k++) {
    const a = direction < 0 ? from - (k + 1) * dt : from + k * dt;
    const iv = kernelInterval(src, a, a + dt, t);
    if (!iv) break;
    const moved = t.reduce((x, y) => x + y, 0);
    if (open[0] && moved === 0 && !iv.decrease && iv.end > 0) out[at]!++;
    else open[0] = false;
    for (let d = 0; d < 4; d++) {
      if (open[d + 1] && t[d * 5] === 0 && t[d * 5 + 1]! + t[d * 5 + 2]! + t[d * 5 + 3]! + t[d * 5 + 4]! > 0) out[at + d + 1]!++;
      else open[d + 1] = false;
    }
  }
}

/** Neighbour deltas per row before a window: active import, then export, of the interval before it. */
export const NEIGHBOURS_BEFORE = 2;
/** Neighbour deltas per row after a window: active import, then export, of the interval after it. */
export const NEIGHBOURS_AFTER = 2;

/** Intervals a window's look-back and look-ahead reach for the carried runs and neighbours. */
export function carryReach(limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS): number {
  return Math.max(carryIntervals(limits), 1);
}

/**
 * Intervals beyond a window whose readings a point's verdicts on it need: the carried runs and
 * neighbours, and a gap's whole length up to the missing-data allowance (a longer one raises
 * whatever lies beyond).
 */
export function judgedReach(config: Pick<PointConfig, 'intervalLimits' | 'missingData'>): number {
  return Math.max(carryReach(config.intervalLimits), (config.missingData?.allowedIntervals ?? 0) + 1);
}

/**
 * Write into `out` at `at` the active import and export of the interval (t, t + dt] — with
 * `direction` -1, (t − dt, t] — as the kernel holds them for its neighbour checks: -1 where it
 * holds none, and before a window also where a register went down (the kernel forgets its
 * neighbours there; after a window, the kernel judges the spike against the decreased interval).
 */
export function carriedNeighbours(src: RowSource, t: number, dt: number, out: Float64Array, at: number, direction: -1 | 1): void {
  const d = SCRATCH_D;
  const iv = direction < 0 ? kernelInterval(src, t - dt, t, d) : kernelInterval(src, t, t + dt, d);
  const known = iv !== null && !(direction < 0 && iv.decrease);
  out[at] = known ? d[0]! : -1;
  out[at + 1] = known ? d[5]! : -1;
}
