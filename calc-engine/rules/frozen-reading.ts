/**
 * Frozen non-zero reading: every register shows the same non-zero value over N intervals while
 * the point is known to carry load (a dead meter or a terminal repeating its last value).
 * Limit: `IntervalLimits.frozenIntervals` (default 4).
 */
import type { AlarmCandidate } from '../alarms.ts';
import { RUN_COUNTERS } from '../kernel-carry.ts';
import { FROZEN, INACTIVE, MISSING } from '../kernel-flags.ts';
import { RUN_DETAIL } from '../runs.ts';
import { DEFAULT_INTERVAL_LIMITS, type IntervalLimits } from './interval-limits.ts';
import { flagRuns, intervalDelta, runPeriod, snapshotValue, type FlagRun, type KernelView } from './kernel-view.ts';

/** Whether interval j of a row is one the kernel counts as frozen: read, nothing moved, reading non-zero, the point loaded. */
function unchanged(view: KernelView, row: number, j: number): boolean {
  if (view.chunk.carriesLoad[row] !== 1 || (view.result.flags[row * view.result.intervals + j]! & (MISSING | INACTIVE)) !== 0) return false;
  for (let r = 0; r < 20; r++) if (intervalDelta(view, row, j, r) !== 0) return false;
  return snapshotValue(view, row, j + 1, 0) > 0;
}

/**
 * Frozen-reading candidates from the kernel; one per run, its period from the first unchanged
 * interval — before the chunk's start when the run was carried in (`KernelChunk.runsBefore`) —
 * to the last, after the chunk's end when the run goes on there (`runsAfter`): a run that only
 * the readings after the chunk make long enough (a backfill just before it) is found too.
 */
export function frozenReadingCandidates(view: KernelView, limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS): AlarmCandidate[] {
  const N = limits.frozenIntervals;
  const I = view.result.intervals;
  const runs: FlagRun[] = flagRuns(view, FROZEN, true).map((run) => ({ ...run, j0: run.j0 - N + 1 }));
  const { runsAfter, runsBefore } = view.chunk;
  for (let row = 0; runsAfter && row < view.chunk.rows; row++) {
    const more = runsAfter[row * RUN_COUNTERS]!;
    if (more === 0) continue;
    let tail = 0;
    while (tail < I && unchanged(view, row, I - 1 - tail)) tail++;
    const carried = tail === I ? (runsBefore?.[row * RUN_COUNTERS] ?? 0) : 0;
    if (tail === 0 || tail + carried + more < N) continue;
    const last = runs.findIndex((r) => r.row === row && r.j1 === I);
    if (last >= 0) runs[last] = { ...runs[last]!, j1: I + more };
    else runs.push({ row, j0: I - tail - carried, j1: I + more });
  }
  return runs.map((run) => ({
    rule: 'frozen-reading', objectKind: 'point', objectId: view.rowPoints[run.row]!, ...runPeriod(view, run),
    observed: run.j1 - run.j0, limit: N, severity: 'warning', detail: RUN_DETAIL.frozen,
  }));
}
