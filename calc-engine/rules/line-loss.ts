/**
 * Rule `line-loss` (DESIGN.md §6): a line's loss rate outside its limits; a negative loss is
 * suspicious too (the receiving end cannot meter more than was sent). Default [0 %, 5 %].
 */
import type { AlarmCandidate } from '../alarms.ts';
import type { ObjectFigure } from '../objects.ts';
import { lossRateCandidate, type LossRateLimits } from './loss-rate.ts';

/** Default line loss limits. */
export const DEFAULT_LINE_LIMITS: LossRateLimits = { lowerPercent: 0, upperPercent: 5 };

/** Line-loss candidate of a line figure. */
export function lineLossCandidates(figure: ObjectFigure, limits: LossRateLimits = DEFAULT_LINE_LIMITS): AlarmCandidate[] {
  return lossRateCandidate('line-loss', figure, limits);
}
