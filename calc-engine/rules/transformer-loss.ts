/**
 * Rule `transformer-loss` (DESIGN.md §6): a main transformer's loss rate outside its limits.
 * Default [−0.5 %, 3 %]: no-load plus load losses of a power transformer stay within a few per
 * cent, and a slightly negative rate is within two 0.2S meters' error; below that is a fault.
 */
import type { AlarmCandidate } from '../alarms.ts';
import type { ObjectFigure } from '../objects.ts';
import { lossRateCandidate, type LossRateLimits } from './loss-rate.ts';

/** Default transformer loss limits. */
export const DEFAULT_TRANSFORMER_LIMITS: LossRateLimits = { lowerPercent: -0.5, upperPercent: 3 };

/** Transformer-loss candidate of a transformer figure. */
export function transformerLossCandidates(figure: ObjectFigure, limits: LossRateLimits = DEFAULT_TRANSFORMER_LIMITS): AlarmCandidate[] {
  return lossRateCandidate('transformer-loss', figure, limits);
}
