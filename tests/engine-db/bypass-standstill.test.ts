/**
 * A bypass point stands still whenever it carries nothing, and its feeder's own meter stands
 * still while the bypass carries the feeder: neither is a frozen meter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReadings, type Database } from '../../schema/index.ts';
import { recomputeRanges } from '../../calc-engine/store/index.ts';
import { archivedDatabase, dbTargets } from '../support/db.ts';
import { risingReadings } from '../support/readings.ts';

const archive = `
substations: [{ id: S, name: S, timeZone: Europe/Berlin }]
points:
  - { id: G, substation: S, name: feeder, timeZone: Europe/Berlin }
  - { id: H, substation: S, name: bypass, timeZone: Europe/Berlin }
  - { id: K, substation: S, name: like H but no bypass point, timeZone: Europe/Berlin }
bypasses:
  - { point: G, via: H, startedAt: '2026-10-05T08:00:00Z', endedAt: '2026-10-05T10:00:00Z' }
`;
// 5 October in Berlin: G gives out 1.00 kWh every 15 minutes and stands still for the bypass's
// two hours, when H carries its load (8 intervals at 1.00 kWh); H stands still for the other
// 88 intervals. K reads exactly as H does without being a bypass point: its standstill is judged.
const from = Date.parse('2026-10-04T22:00:00Z');
const to = Date.parse('2026-10-05T22:00:00Z');
const bypass = [Date.parse('2026-10-05T08:00:00Z'), Date.parse('2026-10-05T10:00:00Z')] as const;
const during = (t: number) => t > bypass[0] && t <= bypass[1];

describe.each(dbTargets())('standstills around a bypass on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await archivedDatabase(target, archive);
    const feeder = risingReadings('G', from, to, 100);
    let held = 0;
    for (const r of feeder) {
      if (during(r.ts.getTime())) held += 100;
      r.values = r.values.map((v) => (v === null ? null : v - held));
    }
    const carrier = (id: string) => risingReadings(id, from, to, 0).map((r) => {
      const moved = Math.min(Math.max(0, r.ts.getTime() - bypass[0]), bypass[1] - bypass[0]) / 900_000;
      return { ...r, values: r.values.map((v) => (v === null ? null : v + 5000 + moved * 100)) };
    });
    await writeReadings(h, [...feeder, ...carrier('H'), ...carrier('K')], { markDirty: false });
    await recomputeRanges(h, ['G', 'H', 'K'].map((pointId) => ({ pointId, from: new Date(from), to: new Date(to) })));
  });
  afterAll(() => h.close());

  it('raises no frozen-reading on the bypass point or on its feeder while bypassed', async () => {
    const r = await h.pool.query(`SELECT object_id FROM alarm WHERE rule = 'frozen-reading' ORDER BY 1`);
    expect(r.rows.map((x) => x.object_id as string)).toEqual(['K', 'K']);
  });
});
