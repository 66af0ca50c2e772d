/**
 * Check limits from the archive: a file's `checks` for its points, a point's own `checks` over
 * them field by field, the defaults for points of other files. Three points read the same day
 * (hand-built, 15-minute intervals, 100 import steps an interval on the flat tier):
 *
 * - snapshots 20–25 unchanged: six frozen intervals (F has ten, 20–29);
 * - 60–65: the import total stands still while the flat tier moves: six stuck intervals, each
 *   also 100 steps of Σ tiers − total (TOU mismatch);
 * - snapshot 100: 2 000 steps in one interval, 20× both neighbours (spike), a 1 900 % jump;
 * - snapshots 140 and 141 not collected: three missing intervals, (139, 142].
 *
 * D has the defaults (frozen 4, stuck 4, TOU 4 steps, spike 10×, jump 200 %, no gap allowed):
 * every one of them raises. X's file sets frozen 8, stuck 8, TOU 200 steps; X itself spike 30×,
 * jump 5 000 %, three missing intervals allowed: nothing raises. F keeps its file's limits but
 * frozen 9: its ten frozen intervals raise with limit 9, and the spike, jump and gap raise as
 * on D; stuck and TOU do not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { writeReadings, type Database } from '../../schema/index.ts';
import { recomputeBulk, recomputeRanges } from '../../calc-engine/store/index.ts';
import { meterSnapshots } from '../support/readings.ts';
import { archivedDatabase, dbTargets, importArchiveText } from '../support/db.ts';

const defaults = `
substations: [{ id: S, name: S, timeZone: Europe/Berlin }]
points:
  - { id: D, substation: S, name: defaults, timeZone: Europe/Berlin }
`;
const limited = `
checks: { frozenIntervals: 8, stuckIntervals: 8, touToleranceSteps: 200 }
points:
  - { id: X, substation: S, name: wide limits, timeZone: Europe/Berlin, checks: { spikeFactor: 30, demandJumpPercent: 5000, missingAllowedIntervals: 3 } }
  - { id: F, substation: S, name: frozen 9, timeZone: Europe/Berlin, checks: { frozenIntervals: 9 } }
  - { id: G, substation: S, name: gaps allowed, timeZone: Europe/Berlin, checks: { missingAllowedIntervals: 12 } }
`;
const T0 = Date.parse('2026-10-09T22:00:00Z'); // 10 October, 00:00 Berlin
const N = 200;
const iso = (i: number) => new Date(T0 + i * 900_000).toISOString();

const day = (point: string, frozenTo: number) =>
  meterSnapshots(point, T0, N, (i) => ({ frozen: i >= 20 && i <= frozenTo, stuck: i >= 60 && i <= 65, import: i === 100 ? 2_000 : 100 }), { absent: (i) => i === 140 || i === 141 });

type Found = { rule: string; from: string; to: string; observed: number; limit: number | null };
async function alarmsOf(h: Database, point: string): Promise<Found[]> {
  const rows = await sql<{ rule: string; period_start: Date; period_end: Date; observed: string; limit_value: string | null; detail: string | null }>`
    SELECT rule, period_start, period_end, observed, limit_value, detail FROM alarm
    WHERE object_id = ${point} AND state <> 'cleared' ORDER BY rule, period_start`.execute(h.db);
  return sorted(rows.rows.map((r) => ({ rule: r.detail?.startsWith('stuck') ? 'stuck' : r.detail?.startsWith('spike') ? 'spike' : r.rule, from: r.period_start.toISOString(), to: r.period_end.toISOString(), observed: Number(r.observed), limit: r.limit_value === null ? null : Number(r.limit_value) })));
}
const sorted = (xs: Found[]) => [...xs].sort((a, b) => a.rule.localeCompare(b.rule) || a.from.localeCompare(b.from));

const frozen = (to: number, limit: number): Found => ({ rule: 'frozen-reading', from: iso(19), to: iso(to), observed: to - 19, limit });
const spikeAndGap: Found[] = [
  { rule: 'demand-jump', from: iso(99), to: iso(100), observed: 1900, limit: 200 },
  { rule: 'missing-data', from: iso(139), to: iso(142), observed: 3, limit: 0 },
  { rule: 'spike', from: iso(99), to: iso(100), observed: 20, limit: 10 }, // 2 000 steps = 20.00 kWh (M = 1)
];
const tou: Found[] = Array.from({ length: 6 }, (_, k) => ({ rule: 'tou-mismatch', from: iso(59 + k), to: iso(60 + k), observed: 100, limit: 4 }));

describe.each(dbTargets())('check limits from the archive on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await archivedDatabase(target, defaults);
    await importArchiveText(h, limited);
    await writeReadings(h, [...day('D', 25), ...day('X', 25), ...day('F', 29)]);
  });
  afterAll(() => h.close());

  for (const [path, recompute] of [['bulk', recomputeBulk], ['figure', recomputeRanges]] as const) {
    it(`judge each point by its own limits (${path} path)`, async () => {
      await sql`DELETE FROM alarm`.execute(h.db);
      await recompute(h, ['D', 'X', 'F'].map((pointId) => ({ pointId, from: new Date(T0), to: new Date(T0 + N * 900_000) })));
      expect(await alarmsOf(h, 'D')).toEqual(sorted([frozen(25, 4), { rule: 'stuck', from: iso(59), to: iso(65), observed: 6, limit: 4 }, ...tou, ...spikeAndGap]));
      expect(await alarmsOf(h, 'X')).toEqual([]);
      expect(await alarmsOf(h, 'F')).toEqual(sorted([frozen(29, 9), ...spikeAndGap]));
    });
  }

  it('a gap is allowed by its whole length, however a recomputed range cuts it', async () => {
    // G may miss 12 intervals in a row. Snapshots 17–24 absent: 9 missing intervals, (16, 25];
    // 60–72 absent: 14, (59, 73]. Each range recomputed starts inside a gap, far from where the
    // gap began (windows 24–36 and 64–82, two intervals either side): the first gap is allowed,
    // the second raises for the part its window holds, (64, 73].
    await writeReadings(h, meterSnapshots('G', T0, N, () => ({}), { absent: (i) => (i >= 17 && i <= 24) || (i >= 60 && i <= 72) }));
    const at = (i: number) => new Date(T0 + i * 900_000);
    for (const recompute of [recomputeBulk, recomputeRanges]) {
      await sql`DELETE FROM alarm`.execute(h.db);
      await recompute(h, [{ pointId: 'G', from: at(26), to: at(34) }, { pointId: 'G', from: at(66), to: at(80) }]);
      expect(await alarmsOf(h, 'G')).toEqual([{ rule: 'missing-data', from: iso(64), to: iso(73), observed: 9, limit: 12 }]);
    }
  });

  it('a re-import without checks puts a point back on the defaults', async () => {
    await importArchiveText(h, `points: [{ id: X, substation: S, name: wide limits, timeZone: Europe/Berlin }]`);
    await sql`DELETE FROM alarm`.execute(h.db);
    await recomputeBulk(h, [{ pointId: 'X', from: new Date(T0), to: new Date(T0 + N * 900_000) }]);
    expect((await alarmsOf(h, 'X')).map((a) => a.rule).sort()).toEqual(['demand-jump', 'frozen-reading', 'missing-data', 'spike', 'stuck', ...tou.map(() => 'tou-mismatch')].sort());
  });

  it('a stored limit out of its bounds is refused by point and field, not judged', async () => {
    // A stuck run of one interval was allowed before the bound became 2; such a row, or one
    // edited by hand, must not silently change what the checks raise.
    await sql`UPDATE metering_point SET checks = '{"stuckIntervals": 1}' WHERE id = 'D'`.execute(h.db);
    try {
      for (const recompute of [recomputeBulk, recomputeRanges]) {
        await expect(recompute(h, [{ pointId: 'D', from: new Date(T0), to: new Date(T0 + N * 900_000) }]))
          .rejects.toThrow(/metering point D: stored check limit stuckIntervals is invalid .*import it again/);
      }
    } finally {
      await sql`UPDATE metering_point SET checks = '{}' WHERE id = 'D'`.execute(h.db);
    }
  });
});
