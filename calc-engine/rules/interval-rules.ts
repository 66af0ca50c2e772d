/**
 * Every interval-level rule over one kernel chunk: outlier, missing data, TOU mismatch, reverse
 * energy, frozen reading and demand jump.
 */
import type { AlarmCandidate } from '../alarms.ts';
import { demandJumpCandidates } from './demand-jump.ts';
import { frozenReadingCandidates } from './frozen-reading.ts';
import { DEFAULT_INTERVAL_LIMITS, type IntervalLimits } from './interval-limits.ts';
import type { KernelView } from './kernel-view.ts';
import { DEFAULT_MISSING_DATA_LIMITS, missingDataCandidates, type MissingDataLimits } from './missing-data.ts';
import { outlierCandidates } from './outlier.ts';
import { reverseEnergyCandidates } from './reverse-energy.ts';
import { touMismatchCandidates } from './tou-mismatch.ts';

/** All interval-level alarm candidates of a kernel chunk. */
export function intervalCandidates(view: KernelView, limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS, missingLimits: MissingDataLimits = DEFAULT_MISSING_DATA_LIMITS): AlarmCandidate[] {
  return [
    ...outlierCandidates(view, limits),
    ...missingDataCandidates(view, missingLimits),
    ...touMismatchCandidates(view, limits),
    ...reverseEnergyCandidates(view, limits),
    ...frozenReadingCandidates(view, limits),
    ...demandJumpCandidates(view, limits),
  ];
}
