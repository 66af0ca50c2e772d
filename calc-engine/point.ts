/**
 * A metering point as the pure engine sees it: its archive settings, meter epochs and raw
 * readings — plain data the database layer assembles.
 */
import type { IntervalLimits } from './rules/interval-limits.ts';
import type { MissingDataLimits } from './rules/missing-data.ts';
import type { Direction } from '../schema/registers.ts';
import type { MeterEpoch } from './epochs.ts';
import type { ReadingSeries } from './readings.ts';

/** Archive settings of a metering point that the calculation uses. */
export interface PointConfig {
  readonly id: string;
  /** IANA zone of the point; calendar days and tariff bands are local to it. */
  readonly zone: string;
  /** Load-profile interval Δ in minutes (15 by default in most profiles). */
  readonly intervalMinutes: number;
  /**
   * Physical maximum energy of one interval in hundredths of a primary unit, for every register
   * (rated power × Δ with headroom). A wrap is plausible only below it.
   */
  readonly maxIntervalEnergy: number;
  /** Which directions take part in computation (statistical objects); all by default. */
  readonly participates?: Partial<Record<Direction, boolean>>;
  /** The point should never register export (`ap_exp`): reverse energy is an alarm. */
  readonly importOnly?: boolean;
  /** Longest run of missing readings bridged by interpolation; 4 by default, 0 disables. */
  readonly maxEstimateIntervals?: number;
  /** Limits of the interval checks (archive `checks`); the defaults when absent. */
  readonly intervalLimits?: IntervalLimits;
  /** Missing-data allowance (archive `checks.missingAllowedIntervals`); none when absent. */
  readonly missingData?: MissingDataLimits;
}

/** Everything the pure engine needs about one point. */
export interface PointData {
  readonly config: PointConfig;
  readonly epochs: readonly MeterEpoch[];
  readonly series: ReadingSeries;
}

/** Default run of missing readings that interpolation may bridge. */
export const DEFAULT_MAX_ESTIMATE_INTERVALS = 4;

/** Interval length Δ of a point in ms. */
export function intervalMs(config: PointConfig): number {
  return config.intervalMinutes * 60_000;
}

/** Longest distance between two anchors that interpolation bridges, in ms. */
export function maxEstimateGapMs(config: PointConfig): number {
  const k = config.maxEstimateIntervals ?? DEFAULT_MAX_ESTIMATE_INTERVALS;
  return k <= 0 ? 0 : (k + 1) * intervalMs(config);
}

/** Whether a direction of a point takes part in computation. */
export function participates(config: PointConfig, direction: Direction): boolean {
  return config.participates?.[direction] ?? true;
}
