/** Plausibility rules (DESIGN.md §6): limits with documented defaults, each returning alarm candidates. */
export * from './bus-imbalance.ts';
export * from './clock-drift.ts';
export * from './demand-jump.ts';
export * from './energy-limit.ts';
export * from './frozen-reading.ts';
export * from './interval-limits.ts';
export * from './interval-rules.ts';
export * from './interval-sum.ts';
export * from './kernel-view.ts';
export * from './line-loss.ts';
export * from './loss-rate.ts';
export * from './missing-data.ts';
export * from './outlier.ts';
export * from './reverse-energy.ts';
export * from './severity.ts';
export * from './tou-mismatch.ts';
export * from './transformer-loss.ts';
