/**
 * A statistical object whose other member was bypassed: recomputing one member through the
 * figure path computes the object's other members too, and so needs their bypass partners.
 * It used to stop with "no point H in the energy context". Standstills around the bypass are
 * not frozen meters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReadings, type Database } from '../../schema/index.ts';
import { recomputeBulk, recomputeRanges } from '../../calc-engine/store/index.ts';
import { archivedDatabase, dbTargets } from '../support/db.ts';
import { risingReadings } from '../support/readings.ts';

const archive = `
substations: [{ id: S, name: S, timeZone: Europe/Berlin }]
points:
  - { id: IN, substation: S, name: incomer, timeZone: Europe/Berlin }
  - { id: G, substation: S, name: feeder, timeZone: Europe/Berlin }
  - { id: H, substation: S, name: bypass, timeZone: Europe/Berlin }
  - { id: K, substation: S, name: reads as H without being a bypass point, timeZone: Europe/Berlin }
bypasses:
  - { point: G, via: H, startedAt: '2026-10-05T08:00:00Z', endedAt: '2026-10-05T10:00:00Z' }
objects:
  - id: BUS
    kind: bus
    name: bus
    voltageKv: 10
    members: [{ point: IN, role: in }, { point: G, role: out }]
`;
// 5 October in Berlin: IN takes in 1.00 kWh every 15 minutes (96 kWh); G gives out 1.00 kWh
// every 15 minutes outside the bypass, and H carries G's load for the bypass's two hours (8
// intervals at 1.00 kWh): the bus's output is 88 + 8 = 96 kWh, no loss.
const from = Date.parse('2026-10-04T22:00:00Z');
const to = Date.parse('2026-10-05T22:00:00Z');
const bypass = [Date.parse('2026-10-05T08:00:00Z'), Date.parse('2026-10-05T10:00:00Z')] as const;
const during = (t: number) => t > bypass[0] && t <= bypass[1];

describe.each(dbTargets())('a bypassed member of an object on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await archivedDatabase(target, archive);
    const feeder = risingReadings('G', from, to, 100);
    // G's register stands still while H carries its load; H moves only then.
    let held = 0;
    for (const r of feeder) {
      if (during(r.ts.getTime())) held += 100;
      r.values = r.values.map((v) => (v === null ? null : v - held));
    }
    const via = (id: string) => risingReadings(id, from, to, 0).map((r) => {
      const moved = Math.min(Math.max(0, r.ts.getTime() - bypass[0]), bypass[1] - bypass[0]) / 900_000;
      return { ...r, values: r.values.map((v) => (v === null ? null : v + moved * 100)) };
    });
    await writeReadings(h, [...risingReadings('IN', from, to, 100), ...feeder, ...via('H'), ...via('K')], { markDirty: false });
  });
  afterAll(() => h.close());

  for (const [path, recompute] of [['figure', recomputeRanges], ['bulk', recomputeBulk]] as const) {
    it(`recomputes the incomer alone through the ${path} path and balances the bus`, async () => {
      await h.pool.query('DELETE FROM object_result');
      await recompute(h, [{ pointId: 'IN', from: new Date(from), to: new Date(to) }]);
      const day = await h.pool.query(`SELECT input::text, output::text, loss::text FROM object_result WHERE object_id = 'BUS' AND period_kind = 'day' AND period_start = $1`, [new Date(from)]);
      expect(day.rows).toEqual([{ input: '96.0000', output: '96.0000', loss: '0.0000' }]);
    });
  }

  // The bypass point stands still whenever it carries nothing, and the feeder's own meter while
  // the bypass carries it: neither is a frozen meter. K, reading as H does, is judged.
  it('raises no frozen-reading on the bypass point or on its feeder while bypassed', async () => {
    await recomputeRanges(h, ['G', 'H', 'K'].map((pointId) => ({ pointId, from: new Date(from), to: new Date(to) })));
    const r = await h.pool.query(`SELECT object_id FROM alarm WHERE rule = 'frozen-reading' ORDER BY 1`);
    expect(r.rows.map((x) => x.object_id as string)).toEqual(['K', 'K']); // before and after the window
  });
});
