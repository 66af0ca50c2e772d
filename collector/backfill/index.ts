/** Automatic backfill of missing interval records, and what it needs from storage. */
export { AutoBackfill, type AutoBackfillOptions, type AutoBackfillStats } from './auto.ts';
export { toRuns, fromRuns, type GapSource, type IntervalGap, type UnavailableRun } from './types.ts';
