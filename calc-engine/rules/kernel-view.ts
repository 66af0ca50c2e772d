/**
 * How rules read the kernel's output: which row is which point, when the chunk starts, and runs
 * of intervals carrying a flag.
 */
import type { KernelChunk, KernelResult } from '../kernel.ts';
import { ratMul, ratToDecimal, rational, type Rational } from '../rational.ts';
import type { RowEnergy } from '../kernel-chunk.ts';
import { RUN_COUNTERS } from '../kernel-carry.ts';

/** A kernel chunk with its result and the time and point identity of its rows. */
export interface KernelView {
  readonly chunk: KernelChunk;
  readonly result: KernelResult;
  /** Point id of each row (two rows of one point around a meter change share it). */
  readonly rowPoints: readonly string[];
  /** Epoch ms of snapshot 0; interval j is (firstTs + j·Δ, firstTs + (j+1)·Δ]. */
  readonly firstTs: number;
  readonly stepMs: number;
  /** Per row, what turns register steps into primary energy: the multiplier and the point's maximum (hundredths); rules report in steps without it. */
  readonly rowEnergy?: readonly RowEnergy[];
}


/** Register steps × multiplier in primary kWh/kvarh, to four places. */
export function stepsToPrimary(steps: number, multiplier: Rational): number {
  return Number(ratToDecimal(ratMul(rational(steps), multiplier), 4, 2));
}

/** `steps` of a row in primary kWh/kvarh (four places), or as steps where the view has no multipliers. */
export function primaryEnergy(view: KernelView, row: number, steps: number): number {
  const e = view.rowEnergy?.[row];
  return e ? stepsToPrimary(steps, e.multiplier) : steps;
}

/** A run of flagged intervals [j0, j1) in one row. */
export interface FlagRun {
  readonly row: number;
  readonly j0: number;
  readonly j1: number;
}

/** Runs of intervals with `flag` set; with `merge` false every interval is its own run. */
export function flagRuns(view: KernelView, flag: number, merge: boolean): FlagRun[] {
  const { flags, intervals: I } = view.result;
  const out: FlagRun[] = [];
  for (let row = 0; row < view.chunk.rows; row++) {
    let start = -1;
    for (let j = 0; j <= I; j++) {
      const on = j < I && (flags[row * I + j]! & flag) !== 0;
      if (on && start < 0) start = j;
      if (start >= 0 && (!on || !merge)) {
        const end = on ? j + 1 : j;
        out.push({ row, j0: start, j1: end });
        start = -1;
      }
    }
  }
  return out;
}

/**
 * Runs of a counted flag (frozen, stuck: set once a counter of `counters` reaches `n`), each from
 * its first counted interval, `n − 1` before its first flagged one, and counted on past the
 * chunk's end where the readings after it go on (`KernelChunk.runsAfter` added to the kernel's
 * `runsAtEnd`): a run that only the readings after the chunk make long enough, as after a
 * backfill just before it, is found too. A run that starts after the chunk is not its to report.
 */
export function countedRuns(view: KernelView, flag: number, counters: readonly number[], n: (row: number) => number): FlagRun[] {
  const I = view.result.intervals;
  const runs = flagRuns(view, flag, true);
  const after = view.chunk.runsAfter;
  for (let row = 0; after && row < view.chunk.rows; row++) {
    const at = (c: number) => view.result.runsAtEnd[row * RUN_COUNTERS + c]!;
    const more = (c: number) => after[row * RUN_COUNTERS + c]!;
    const reach = Math.max(...counters.map(more));
    let open = runs.findIndex((r) => r.row === row && r.j1 === I);
    for (let k = 0; k < reach; k++) {
      // The kernel, counting on, flags interval I + k where a counter reaches n there.
      if (!counters.some((c) => more(c) > k && at(c) + k + 1 >= n(row))) continue;
      if (open >= 0 && runs[open]!.j1 === I + k) runs[open] = { ...runs[open]!, j1: I + k + 1 };
      else open = runs.push({ row, j0: I + k, j1: I + k + 1 }) - 1;
    }
  }
  return runs.map((r) => ({ ...r, j0: r.j0 - n(r.row) + 1 })).filter((r) => r.j0 < I);
}

/** The period (start, end] covered by intervals [j0, j1). */
export function runPeriod(view: KernelView, run: FlagRun): { periodStart: number; periodEnd: number } {
  return { periodStart: view.firstTs + run.j0 * view.stepMs, periodEnd: view.firstTs + run.j1 * view.stepMs };
}

/** Register value of a row's snapshot s, register r. */
export function snapshotValue(view: KernelView, row: number, s: number, r: number): number {
  return view.chunk.values[(row * view.chunk.snapshots + s) * 20 + r]! + (view.chunk.base?.[row * 20 + r] ?? 0);
}

/** Delta of a row's interval j, register r. */
export function intervalDelta(view: KernelView, row: number, j: number, r: number): number {
  return view.result.deltas[(row * view.result.intervals + j) * 20 + r]!;
}
