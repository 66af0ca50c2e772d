/**
 * Frozen non-zero reading: every register shows the same non-zero value over N intervals while
 * the point is known to carry load (a dead meter or a terminal repeating its last value).
 * Limit: `IntervalLimits.frozenIntervals` (default 4).
 */
import type { AlarmCandidate } from '../alarms.ts';
import { FROZEN } from '../kernel-flags.ts';
import { RUN_DETAIL } from '../runs.ts';
import { DEFAULT_INTERVAL_LIMITS, rowLimits, type IntervalLimits } from './interval-limits.ts';
import { countedRuns, runPeriod, type KernelView } from './kernel-view.ts';

/**
 * Frozen-reading candidates from the kernel; one per run, its period from the first unchanged
 * interval — before the chunk's start when the run was carried in (`KernelChunk.runsBefore`) —
 * to the last, after the chunk's end when the run goes on there (`runsAfter`): a run that only
 * the readings after the chunk make long enough (a backfill just before it) is found too.
 */
export function frozenReadingCandidates(view: KernelView, limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS): AlarmCandidate[] {
  const n = (row: number) => rowLimits(view.chunk, row, limits).frozenIntervals;
  return countedRuns(view, FROZEN, [0], n).map((run) => ({
    rule: 'frozen-reading', objectKind: 'point', objectId: view.rowPoints[run.row]!, ...runPeriod(view, run),
    observed: run.j1 - run.j0, limit: n(run.row), severity: 'warning', detail: RUN_DETAIL.frozen,
  }));
}
