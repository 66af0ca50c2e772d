/**
 * A frozen reading on a generating point: a PV feeder that only exports (its import register at
 * 0) carries load by its export, and a meter standing still there is as dead as on a consumer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReadings, type Database } from '../../schema/index.ts';
import { exportRows, recomputeBulk, recomputeRanges } from '../../calc-engine/store/index.ts';
import { meterSnapshots } from '../support/readings.ts';
import { dbTargets, freshDatabase, importArchiveText } from '../support/db.ts';

const T0 = Date.parse('2026-10-09T22:00:00Z'); // 10 October, 00:00 Berlin
const iso = (i: number) => new Date(T0 + i * 900_000).toISOString();

describe.each(dbTargets())('a frozen generating point on $name PostgreSQL', (target) => {
  for (const [path, recompute] of [['bulk', recomputeBulk], ['figure', recomputeRanges]] as const) {
    let h: Database;
    beforeAll(async () => {
      h = await freshDatabase(target);
      await importArchiveText(h, 'substations: [{ id: S, name: S, timeZone: Europe/Berlin }]\npoints: [{ id: G, substation: S, name: pv feeder, timeZone: Europe/Berlin }]\n');
      // Import stays 0.00; export rises 1.00 kWh an interval but stands still from snapshot 21 to
      // 30 (intervals ending 21..30 unchanged).
      await writeReadings(h, meterSnapshots('G', T0, 48, (i) => ({ import: 0, export: i >= 21 && i <= 30 ? 0 : 100 }), { importStart: 0 }), { markDirty: false });
    });
    afterAll(() => h.close());

    it(`raises frozen-reading over the run on the ${path} path`, async () => {
      await recompute(h, [{ pointId: 'G', from: new Date(T0), to: new Date(T0 + 48 * 900_000) }]);
      const open = (await exportRows(h, { kind: 'alarms', from: new Date(T0), to: new Date(T0 + 48 * 900_000), point: 'G' })).filter((a) => a.rule === 'frozen-reading');
      // Four unchanged intervals make a run; it is reported from its first: (20, 30], 10 intervals.
      expect(open.map((a) => [a.period_start, a.period_end, a.observed])).toEqual([[iso(20), iso(30), '10']]);
    });
  }
});
