/**
 * Frozen non-zero reading: every register shows the same non-zero value over N intervals while
 * the point is known to carry load (a dead meter or a terminal repeating its last value).
 * Limit: `IntervalLimits.frozenIntervals` (default 4).
 */
import type { AlarmCandidate } from '../alarms.ts';
import { RUN_DETAIL } from '../runs.ts';
import { FROZEN } from '../kernel-flags.ts';
import { DEFAULT_INTERVAL_LIMITS, type IntervalLimits } from './interval-limits.ts';
import { flagRuns, runPeriod, type KernelView } from './kernel-view.ts';

/**
 * Frozen-reading candidates from the kernel; one per run, its period from the first unchanged
 * interval — before the chunk's start when the run was carried in (`KernelChunk.runsBefore`).
 */
export function frozenReadingCandidates(view: KernelView, limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS): AlarmCandidate[] {
  return flagRuns(view, FROZEN, true).map((run) => {
    const j0 = run.j0 - limits.frozenIntervals + 1;
    return { rule: 'frozen-reading', objectKind: 'point', objectId: view.rowPoints[run.row]!, ...runPeriod(view, { ...run, j0 }), observed: run.j1 - j0, limit: limits.frozenIntervals, severity: 'warning', detail: RUN_DETAIL.frozen };
  });
}
