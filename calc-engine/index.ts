/**
 * calc-engine: the pure calculation kernels (no I/O). Energies are exact: register deltas are
 * integers in register steps (0.01 of a secondary unit); figures are BigInt rationals in
 * hundredths of a primary unit, so any CT/PT multiplier stays exact; rounding happens only on
 * presentation (`ratToDecimal`).
 */
export * from './adjustments.ts';
export * from './alarms.ts';
export * from './runs.ts';
export * from './bypass.ts';
export * from './daily.ts';
export * from './epochs.ts';
export * from './figure.ts';
export * from './interval.ts';
export * from './kernel-flags.ts';
export * from './kernel.ts';
export * from './kernel-chunk.ts';
export * from './kernel-carry.ts';
export * from './kernel-values.ts';
export * from './monthly.ts';
export * from './multiplier.ts';
export * from './objects.ts';
export * from './period.ts';
export * from './point.ts';
export * from './quality.ts';
export * from './rational.ts';
export * from './readings.ts';
export * from './rollover.ts';
export * from './scheme.ts';
export * from './span.ts';
export * from './tou.ts';
export * from './rules/index.ts';
