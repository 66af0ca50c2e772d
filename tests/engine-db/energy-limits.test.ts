/**
 * Rule energy-limit on days and months (DESIGN.md §6): a point's daily and monthly active
 * import against its limits from the archive, through both recompute paths; a month's alarm
 * and its days' alarms live side by side, and a raised limit clears the month's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReadings, type Database } from '../../schema/index.ts';
import { exportRows, recomputeBulk, recomputeRanges } from '../../calc-engine/store/index.ts';
import { archivedDatabase, dbTargets, importArchiveText } from '../support/db.ts';
import { risingReadings } from '../support/readings.ts';

const archive = (monthlyMax: number) => `
substations: [{ id: S, name: S, timeZone: Europe/Berlin }]
points:
  - { id: M, substation: S, name: feeder, timeZone: Europe/Berlin, dailyMax: 97, monthlyMax: ${monthlyMax} }
`;
// October in Berlin, 1.00 kWh every 15 minutes: 96 kWh a day, 100 on the 25-hour 25 October;
// the month has 31 × 24 + 1 = 745 hours, 2 980 kWh.
const from = Date.parse('2026-09-30T22:00:00Z');
const to = Date.parse('2026-10-31T23:00:00Z');
const range = [{ pointId: 'M', from: new Date(from), to: new Date(to) }];

const open = async (h: Database) =>
  (await exportRows(h, { kind: 'alarms', from: { local: '2026-10-01' }, to: { local: '2026-11-01' }, point: 'M' }))
    .filter((a) => a.state === 'open' && a.rule === 'energy-limit')
    .map((a) => [a.id, a.period_start, a.period_end, a.observed, a.limit]);

describe.each(dbTargets())('energy limits of days and months on $name PostgreSQL', (target) => {
  for (const [path, recompute] of [['bulk', recomputeBulk], ['figure', recomputeRanges]] as const) {
    describe(`the ${path} path`, () => {
      let h: Database;
      beforeAll(async () => {
        h = await archivedDatabase(target, archive(2000));
        await writeReadings(h, risingReadings('M', from, to, 100), { markDirty: false });
      });
      afterAll(() => h.close());

      it('raises the month above its limit beside the day above its own, and keeps both on a second pass', async () => {
        await recompute(h, range);
        const first = await open(h);
        expect(first.map((a) => a.slice(1))).toEqual([
          ['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', '100', '97'], // the 25-hour day
          ['2026-09-30T22:00:00.000Z', '2026-10-31T23:00:00.000Z', '2980', '2000'], // the month
        ]);
        await recompute(h, range);
        expect(await open(h)).toEqual(first);
      });

      it('clears the month when its limit is raised, leaving the day', async () => {
        await importArchiveText(h, archive(3000));
        await recompute(h, range);
        expect((await open(h)).map((a) => a[1])).toEqual(['2026-10-24T22:00:00.000Z']);
      });
    });
  }
});
