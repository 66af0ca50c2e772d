/**
 * How rules read the kernel's output: which row is which point, when the chunk starts, and runs
 * of intervals carrying a flag.
 */
import type { KernelChunk, KernelResult } from '../kernel.ts';

/** A kernel chunk with its result and the time and point identity of its rows. */
export interface KernelView {
  readonly chunk: KernelChunk;
  readonly result: KernelResult;
  /** Point id of each row (two rows of one point around a meter change share it). */
  readonly rowPoints: readonly string[];
  /** Epoch ms of snapshot 0; interval j is (firstTs + j·Δ, firstTs + (j+1)·Δ]. */
  readonly firstTs: number;
  readonly stepMs: number;
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
