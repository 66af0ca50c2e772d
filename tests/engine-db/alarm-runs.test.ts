/**
 * A run alarm is judged whole whatever range dirtied it: a correction in the middle of a
 * three-day run of reverse energy splits the alarm in two, and readings that carry a run on
 * extend its alarm instead of adding a second one — in both cases the alarms a recomputation
 * from scratch finds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { writeReadings, type Database, type ReadingRow } from '../../schema/index.ts';
import { drainTasks, exportRows, recomputeBulk } from '../../calc-engine/store/index.ts';
import { dbTargets, freshDatabase, importArchiveText } from '../support/db.ts';

const archive = `
substations: [{ id: S, name: S, timeZone: Europe/Berlin }]
points:
  - { id: R, substation: S, name: import only, timeZone: Europe/Berlin, importOnly: true }
  - { id: Q, substation: S, name: import only too, timeZone: Europe/Berlin, importOnly: true }
  - { id: T, substation: S, name: ten days reversed, timeZone: Europe/Berlin, importOnly: true }
`;
const Q15 = 900_000, H = 3_600_000, D = 86_400_000;
const start = Date.parse('2026-10-09T22:00:00Z'); // 10 October, 00:00 Berlin
const at = (day: number, hour: number) => new Date(start + day * D + hour * H).toISOString();

/** Readings every 15 min in [from, to]: import 1.00 kWh and export `exp(i)` hundredths cumulated, flat tier = total. */
function rows(point: string, from: number, to: number, exp: (t: number) => number): ReadingRow[] {
  const out: ReadingRow[] = [];
  for (let t = from; t <= to; t += Q15) {
    const i = (t - start) / Q15;
    const v = new Array<number | null>(20).fill(0);
    v[0] = v[3] = 1_000_000 + i * 100; // ap_imp total and flat
    v[5] = v[8] = 50_000 + exp(t); // ap_exp total and flat
    out.push({ pointId: point, ts: new Date(t), source: 'poll', values: v });
  }
  return out;
}
const exporting = (t: number) => ((t - start) / Q15) * 5; // 0.05 kWh out per interval, all along

/** The interval-run alarms (not the day and month figures') of a point, as they stand. */
async function runs(h: Database, point: string): Promise<[string, string, number][]> {
  const all = await exportRows(h, { kind: 'alarms', from: new Date(start - D), to: new Date(start + 12 * D), object: point });
  return all.filter((a) => a.state !== 'cleared' && a.rule === 'reverse-energy' && String(a.message).includes('(steps)'))
    .map((a) => [String(a.period_start), String(a.period_end), Number(a.observed)]);
}

describe.each(dbTargets())('run alarms on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await freshDatabase(target);
    await importArchiveText(h, archive);
    await writeReadings(h, [...rows('R', start, start + 3 * D, exporting), ...rows('Q', start, start + 2 * D, exporting), ...rows('T', start, start + 10 * D, exporting)]);
    await drainTasks(h);
  });
  afterAll(() => h.close());

  it('reports each three- and two-day run once', async () => {
    expect(await runs(h, 'R')).toEqual([[at(0, 0), at(3, 0), 288 * 5]]);
    expect(await runs(h, 'Q')).toEqual([[at(0, 0), at(2, 0), 192 * 5]]);
  });

  it('splits the run where a correction on the middle day stops the export, as from scratch', async () => {
    // 11 October 10:00–14:00: export register held at its 10:00 value (a misread put right).
    const held = exporting(start + D + 10 * H);
    const fixed = rows('R', start + D + 10 * H + Q15, start + D + 14 * H, () => held);
    await writeReadings(h, fixed, { onConflict: 'correct', actor: 'test', reason: 'export register misread' });
    await drainTasks(h);
    // (start, 11th 10:00]: 136 intervals × 5; (11th 14:00, 13th 00:00]: the 14:15 interval makes up
    // the 16 held ones (17 × 5), then 135 more × 5.
    const split: [string, string, number][] = [[at(0, 0), at(1, 10), 136 * 5], [at(1, 14), at(3, 0), 17 * 5 + 135 * 5]];
    expect(await runs(h, 'R')).toEqual(split);
    await recomputeBulk(h, [{ pointId: 'R', from: new Date(start), to: new Date(start + 3 * D) }]);
    expect(await runs(h, 'R')).toEqual(split);
  });

  it('extends the alarm of a run that new readings carry on, as from scratch', async () => {
    await writeReadings(h, rows('Q', start + 2 * D + Q15, start + 3 * D, exporting));
    await drainTasks(h);
    const whole: [string, string, number][] = [[at(0, 0), at(3, 0), 288 * 5]];
    expect(await runs(h, 'Q')).toEqual(whole);
    await recomputeBulk(h, [{ pointId: 'Q', from: new Date(start), to: new Date(start + 3 * D) }]);
    expect(await runs(h, 'Q')).toEqual(whole);
  });

  it('judges two corrections of one long run together, rewriting only what they changed', async () => {
    // Days 3 and 7 of a ten-day run, one hour each put right, claimed and recomputed together.
    const fix = (day: number) => {
      const held = exporting(start + day * D + 10 * H);
      return rows('T', start + day * D + 10 * H + Q15, start + day * D + 11 * H, () => held);
    };
    await writeReadings(h, fix(2), { onConflict: 'correct', actor: 'test', reason: 'misread' });
    await writeReadings(h, fix(6), { onConflict: 'correct', actor: 'test', reason: 'misread' });
    const before = new Date();
    await drainTasks(h);
    const tasks = await sql<{ state: string }>`SELECT state FROM calc_task WHERE point_id = 'T' ORDER BY id`.execute(h.db);
    expect(tasks.rows.map((t) => t.state).every((x) => x === 'done')).toBe(true);
    // Each held hour's 4 intervals carry no export and the interval after it makes them up (5 × 5
    // steps): 232 intervals × 5; 380 intervals, one of them 25; 340 intervals, one of them 25.
    expect(await runs(h, 'T')).toEqual([
      [at(0, 0), at(2, 10), 232 * 5],
      [at(2, 11), at(6, 10), 379 * 5 + 25],
      [at(6, 11), at(10, 0), 339 * 5 + 25],
    ]);
    // the run was read whole, but only the corrected hours' intervals were written again
    const rewritten = await sql<{ n: number }>`SELECT count(*)::int AS n FROM interval_energy WHERE point_id = 'T' AND computed_at >= ${before}`.execute(h.db);
    expect(rewritten.rows[0]!.n).toBeLessThan(20);
    await recomputeBulk(h, [{ pointId: 'T', from: new Date(start), to: new Date(start + 10 * D) }]);
    expect((await runs(h, 'T')).map((r) => r.slice(0, 2))).toEqual([[at(0, 0), at(2, 10)], [at(2, 11), at(6, 10)], [at(6, 11), at(10, 0)]]);
  });
});
