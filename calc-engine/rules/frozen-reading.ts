/**
 * Frozen non-zero reading: every register shows the same non-zero value over N intervals while
 * the point is known to carry load (a dead meter or a terminal repeating its last value).
 * Limit: `IntervalLimits.frozenIntervals` (default 4).
 */
import type { AlarmCandidate } from '../alarms.ts';
import { RUN_COUNTERS } from '../kernel-carry.ts';
import { FROZEN } from '../kernel-flags.ts';
import { RUN_DETAIL } from '../runs.ts';
import { DEFAULT_INTERVAL_LIMITS, type IntervalLimits } from './interval-limits.ts';
import { flagRuns, runPeriod, type FlagRun, type KernelView } from './kernel-view.ts';

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
  const after = view.chunk.runsAfter;
  for (let row = 0; after && row < view.chunk.rows; row++) {
    // The kernel's count at the row's end and the count after it make one run.
    const atEnd = view.result.runsAtEnd[row * RUN_COUNTERS]!, more = after[row * RUN_COUNTERS]!;
    if (atEnd === 0 || more === 0 || atEnd + more < N) continue;
    const last = runs.findIndex((r) => r.row === row && r.j1 === I);
    if (last >= 0) runs[last] = { ...runs[last]!, j1: I + more };
    else runs.push({ row, j0: I - atEnd, j1: I + more });
  }
  return runs.map((run) => ({
    rule: 'frozen-reading', objectKind: 'point', objectId: view.rowPoints[run.row]!, ...runPeriod(view, run),
    observed: run.j1 - run.j0, limit: N, severity: 'warning', detail: RUN_DETAIL.frozen,
  }));
}
