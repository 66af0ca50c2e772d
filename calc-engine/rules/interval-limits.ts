/**
 * Limits of the interval-level checks the columnar kernel runs (outlier spike/stuck, TOU
 * mismatch, reverse energy, frozen reading, demand jump), in register steps (0.01 of a secondary
 * unit) so the kernel compares integers without applying the multiplier.
 */

/** Interval-level limits. */
export interface IntervalLimits {
  /** |Σ tier deltas − total delta| allowed: each of 4 tier registers truncates on its own, so up to 4 steps is rounding. */
  readonly touToleranceSteps: number;
  /** Export delta tolerated on an import-only point (creep, test pulses). */
  readonly reverseToleranceSteps: number;
  /** Unchanged intervals in a row, on a loaded point, before a reading counts as frozen. */
  readonly frozenIntervals: number;
  /** Intervals in a row a total may stand still while its tiers move before it counts as stuck. */
  readonly stuckIntervals: number;
  /** A spike is more than this factor above both neighbours … */
  readonly spikeFactor: number;
  /** … and at least this many steps (keeps near-zero load from flagging). */
  readonly spikeMinSteps: number;
  /** A demand jump is a change of more than this percentage of the previous interval … */
  readonly demandJumpPercent: number;
  /** … when the previous interval had at least this many steps. */
  readonly demandMinSteps: number;
}

/**
 * Defaults: TOU tolerance 4 steps; reverse tolerance 0; frozen after 4 intervals (1 h at 15
 * min); stuck after 4; spike at 10× both neighbours and ≥ 100 steps; demand jump above 200 %
 * from a previous interval of ≥ 100 steps.
 */
export const DEFAULT_INTERVAL_LIMITS: IntervalLimits = {
  touToleranceSteps: 4,
  reverseToleranceSteps: 0,
  frozenIntervals: 4,
  stuckIntervals: 4,
  spikeFactor: 10,
  spikeMinSteps: 100,
  demandJumpPercent: 200,
  demandMinSteps: 100,
};

/** The limits of a chunk's row: its point's (`KernelChunk.limits`), else `fallback`. */
export function rowLimits(chunk: { readonly limits?: readonly (IntervalLimits | undefined)[] }, row: number, fallback: IntervalLimits = DEFAULT_INTERVAL_LIMITS): IntervalLimits {
  return chunk.limits?.[row] ?? fallback;
}
