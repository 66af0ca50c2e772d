/**
 * Terminal clock drift: the meter's clock against the collector's time when the clock was read.
 * Default limit 120 s (time-sync commands usually correct within a minute; beyond two the
 * interval stamps are doubtful).
 */
import type { AlarmCandidate } from '../alarms.ts';
import { severityOutside } from './severity.ts';

/** One clock reading. */
export interface ClockSample {
  /** Collector time of the read, epoch ms. */
  readonly readAt: number;
  /** Meter clock at that moment, epoch ms. */
  readonly meterClock: number;
}

/** Clock-drift limit. */
export interface ClockDriftLimits {
  readonly maxDriftSeconds: number;
}

/** Default clock-drift limit. */
export const DEFAULT_CLOCK_DRIFT_LIMITS: ClockDriftLimits = { maxDriftSeconds: 120 };

/**
 * One candidate for [periodStart, periodEnd] (keep it a fixed period such as the day, so the
 * alarm's identity is stable) when the worst drift among its `samples` exceeds the limit.
 */
export function clockDriftCandidates(objectId: string, periodStart: number, periodEnd: number, samples: readonly ClockSample[], limits: ClockDriftLimits = DEFAULT_CLOCK_DRIFT_LIMITS, objectKind: 'terminal' | 'point' = 'terminal'): AlarmCandidate[] {
  if (samples.length === 0) return [];
  let worst = 0;
  for (const s of samples) {
    const d = (s.meterClock - s.readAt) / 1000;
    if (Math.abs(d) > Math.abs(worst)) worst = d;
  }
  const severity = severityOutside(worst, -limits.maxDriftSeconds, limits.maxDriftSeconds);
  if (!severity) return [];
  return [{ rule: 'clock-drift', objectKind, objectId, periodStart, periodEnd, observed: worst, limit: Math.sign(worst) * limits.maxDriftSeconds, severity, detail: 'meter clock − collector time (s)' }];
}
