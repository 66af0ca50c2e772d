/** What automatic backfill needs to know from storage, whatever the storage is. */

import type { Gap } from '../../schema/gaps.ts';

/** A run of consecutive missing interval records of one point (both ends included): the schema's `Gap`. */
export type IntervalGap = Gap;

/** Where backfill learns which records are missing (the database, so it survives restarts). */
export interface GapSource {
  /** Runs of missing interval records of `points` in [from, to]. */
  missing(points: readonly string[], from: Date, to: Date): Promise<IntervalGap[]>;
  /** Since when each point is expected to have records (its first installation, else its first stored reading). */
  firstKnown(points: readonly string[]): Promise<Map<string, Date>>;
  /** Days of interval records the terminal keeps (its archive `memory_days`), when known. */
  memoryDays(terminal: string): Promise<number | undefined>;
  /** Interval ends (epoch ms) already reported unavailable, per point. */
  reportedUnavailable(points: readonly string[]): Promise<Map<string, Set<number>>>;
}

/** A run of unavailable records as reported (epoch ms, both ends included). */
export type UnavailableRun = [first: number, last: number];

/** Compress sorted interval ends into runs of consecutive intervals. */
export function toRuns(times: readonly number[], stepMs: number): UnavailableRun[] {
  const runs: UnavailableRun[] = [];
  for (const t of [...times].sort((a, b) => a - b)) {
    const last = runs.at(-1);
    if (last && t === last[1] + stepMs) last[1] = t;
    else if (!last || t > last[1]) runs.push([t, t]);
  }
  return runs;
}

/** Expand runs back into interval ends. */
export function fromRuns(runs: readonly UnavailableRun[], stepMs: number): number[] {
  const out: number[] = [];
  for (const [a, b] of runs) for (let t = a; t <= b; t += stepMs) out.push(t);
  return out;
}
