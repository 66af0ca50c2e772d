/**
 * The kernel's run counters carried into a window: a frozen reading or a stuck total register is
 * flagged once it has lasted N intervals, and a run that began before the window goes on counting
 * inside it, as a recomputation of a longer span counts it. Without this, readings that arrive a
 * few intervals at a time never show N unchanged intervals in one window.
 */
import { REGISTER_COUNT } from '../schema/registers.ts';
import { lowerBound, type ReadingSeries } from './readings.ts';
import { DEFAULT_INTERVAL_LIMITS, type IntervalLimits } from './rules/interval-limits.ts';

/** Counters per row: unchanged intervals (frozen reading), then per direction a total standing still while its tiers move (stuck). */
export const RUN_COUNTERS = 5;

/** Intervals the counters look back before a window: one less than the longer of the two runs. */
export function carryIntervals(limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS): number {
  return Math.max(limits.frozenIntervals, limits.stuckIntervals) - 1;
}

/**
 * Write into `out` at `at` the counters the kernel would hold at `from` had it started earlier:
 * consecutive intervals ending at `from` on the grid of `dt`, read from `series`, up to
 * `carryIntervals`. Frozen intervals count only on a point that carries load and shows a
 * non-zero reading (the kernel's own conditions). A missing snapshot ends every run. With
 * `direction` 1, the intervals starting at `from` instead: how long runs go on after a window.
 */
export function carriedRuns(series: ReadingSeries, from: number, dt: number, loaded: boolean, out: Int32Array, at: number, limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS, direction: -1 | 1 = -1): void {
  out.fill(0, at, at + RUN_COUNTERS);
  const { ts, values: v } = series;
  const open = [loaded, true, true, true, true];
  const row = (t: number): number => {
    const i = lowerBound(ts, t);
    if (ts[i] !== t) return -1;
    for (let r = 0; r < REGISTER_COUNT; r++) if (Number.isNaN(v[i * REGISTER_COUNT + r]!)) return -1;
    return i * REGISTER_COUNT;
  };
  let edge = row(from);
  for (let k = 1; k <= carryIntervals(limits) && edge >= 0 && open.includes(true); k++) {
    const next = row(from + direction * k * dt);
    if (next < 0) break;
    // The interval between the two snapshots: `cur` its end, `prev` its start.
    const [prev, cur] = direction < 0 ? [next, edge] : [edge, next];
    let moved = 0;
    for (let r = 0; r < REGISTER_COUNT; r++) moved += Math.abs(v[cur + r]! - v[prev + r]!);
    if (open[0] && moved === 0 && v[cur]! > 0) out[at]!++;
    else open[0] = false;
    for (let d = 0; d < 4; d++) {
      const c = cur + d * 5, p = prev + d * 5;
      const tiers = v[c + 1]! - v[p + 1]! + v[c + 2]! - v[p + 2]! + v[c + 3]! - v[p + 3]! + v[c + 4]! - v[p + 4]!;
      if (open[d + 1] && v[c] === v[p] && tiers > 0) out[at + d + 1]!++;
      else open[d + 1] = false;
    }
    edge = next;
  }
}
