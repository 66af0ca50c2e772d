/** The database as the backfill's {@link GapSource}: missing intervals, installations, terminal memory, past reports. */
import { sql } from 'kysely';
import { missingIntervals, type Database } from '../../schema/index.ts';
import { fromRuns, type GapSource, type IntervalGap, type UnavailableRun } from '../backfill/index.ts';

/** Gap queries against the meterflow database. */
export class DatabaseGaps implements GapSource {
  /** Ask `handle`. */
  constructor(private readonly handle: Database) {}

  /** Runs of missing interval records (from `missingIntervals`; points missing from the archive have none). */
  async missing(points: readonly string[], from: Date, to: Date): Promise<IntervalGap[]> {
    return missingIntervals(this.handle, from, to, points);
  }

  /** First installation of each point, else its first stored reading. */
  async firstKnown(points: readonly string[]): Promise<Map<string, Date>> {
    const r = await sql<{ point_id: string; first: Date }>`
      SELECT p.id AS point_id, COALESCE(
        (SELECT min(installed_at) FROM installation i WHERE i.point_id = p.id),
        (SELECT min(ts) FROM reading r WHERE r.point_id = p.id)) AS first
      FROM metering_point p WHERE p.id = ANY(${[...points]}::text[])`.execute(this.handle.db);
    return new Map(r.rows.filter((x) => x.first !== null).map((x) => [x.point_id, x.first]));
  }

  /** The terminal's `memory_days` from the archive. */
  async memoryDays(terminal: string): Promise<number | undefined> {
    const r = await this.handle.db.selectFrom('terminal').select('memory_days').where('id', '=', terminal).executeTakeFirst();
    return r?.memory_days ?? undefined;
  }

  /** Interval ends already reported unavailable (acquisition_log rows of kind `unavailable`). */
  async reportedUnavailable(points: readonly string[]): Promise<Map<string, Set<number>>> {
    const r = await sql<{ detail: { point: string; runs: UnavailableRun[]; stepSeconds: number } }>`
      SELECT detail FROM acquisition_log
      WHERE what = 'backfill' AND result = 'error' AND detail->>'errorKind' = 'unavailable' AND detail->>'point' = ANY(${[...points]}::text[])`.execute(this.handle.db);
    const out = new Map<string, Set<number>>();
    for (const { detail } of r.rows) {
      let set = out.get(detail.point);
      if (!set) out.set(detail.point, (set = new Set()));
      for (const t of fromRuns(detail.runs ?? [], detail.stepSeconds * 1000)) set.add(t);
    }
    return out;
  }
}
