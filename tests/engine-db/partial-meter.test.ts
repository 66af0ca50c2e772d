/**
 * A meter that reads only its active import total (no tiers, no export, no reactive) is judged
 * by the interval checks on what it reads: a spike and a register going down are raised on both
 * recompute paths, and nothing is made up about the registers it does not read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReadings, type Database, type ReadingRow } from '../../schema/index.ts';
import { drainTasks, exportRows, recomputeBulk, recomputeRanges } from '../../calc-engine/store/index.ts';
import { archivedDatabase, dbTargets } from '../support/db.ts';

const T0 = Date.parse('2026-10-09T22:00:00Z'); // 10 October, 00:00 Berlin
const N = 48;
const iso = (i: number) => new Date(T0 + i * 900_000).toISOString();

/** Snapshots 0..N of `point` every 15 minutes, reading only the registers `read(i)` gives (index → steps). */
const snapshots = (point: string, read: (i: number) => Record<number, number>): ReadingRow[] =>
  Array.from({ length: N + 1 }, (_, i) => {
    const values = new Array<number | null>(20).fill(null);
    for (const [r, v] of Object.entries(read(i))) values[Number(r)] = v;
    return { pointId: point, ts: new Date(T0 + i * 900_000), source: 'poll', values };
  });

// 1.00 kWh an interval; the interval ending at 20 takes 51.00 (a spike, and a demand jump);
// the one ending at 35 goes down by 0.50 (a register decrease, no wrap).
const readings = snapshots('T', (i) => ({ 0: 100_000 + 100 * i + (i >= 20 ? 5000 : 0) - (i >= 35 ? 150 : 0) }));

const ARCHIVE = `
substations: [{ id: S, name: S, timeZone: Europe/Berlin }]
points:
  - { id: T, substation: S, name: total only, timeZone: Europe/Berlin }
  - { id: U, substation: S, name: total with peak and valley, timeZone: Europe/Berlin }
  - { id: F, substation: S, name: total only that freezes, timeZone: Europe/Berlin }
`;

// U reads its total (1.00 kWh an interval), peak (0.60) and valley (0.20), not the flat tier.
const someTiers = snapshots('U', (i) => ({ 0: 100_000 + 100 * i, 2: 60 * i, 4: 20 * i }));

describe.each(dbTargets())('a total-only meter read live on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await archivedDatabase(target, ARCHIVE);
  });
  afterAll(() => h.close());

  it('freezing while readings arrive three at a time is one frozen-reading alarm', async () => {
    // The total stands still from snapshot 21 to 30: frozen after 4 unchanged intervals, reported from the first: (20, 30].
    const rows = snapshots('F', (i) => ({ 0: 100_000 + 100 * Math.min(i, 20) + 100 * Math.max(0, i - 30) }));
    for (let n = 0; n <= N; n += 3) {
      await writeReadings(h, rows.slice(n, n + 3));
      await drainTasks(h);
    }
    const alarms = await exportRows(h, { kind: 'alarms', from: new Date(T0), to: new Date(T0 + N * 900_000), point: 'F' });
    expect(alarms.map((a) => [a.rule, a.period_start, a.period_end, a.observed])).toEqual([['frozen-reading', iso(20), iso(30), '10']]);
  });
});

describe.each(dbTargets())('a meter reading only its import total on $name PostgreSQL', (target) => {
  for (const [path, recompute] of [['bulk', recomputeBulk], ['figure', recomputeRanges]] as const) {
    let h: Database;
    beforeAll(async () => {
      h = await archivedDatabase(target, ARCHIVE);
      await writeReadings(h, [...readings, ...someTiers], { markDirty: false });
    });
    afterAll(() => h.close());

    it(`raises the spike and the decrease on the ${path} path, and nothing else`, async () => {
      await recompute(h, ['T', 'U'].map((pointId) => ({ pointId, from: new Date(T0), to: new Date(T0 + N * 900_000) })));
      // U's tiers are read in part: its total is judged alone, no TOU mismatch of the tier it lacks.
      expect(await exportRows(h, { kind: 'alarms', from: new Date(T0), to: new Date(T0 + N * 900_000), point: 'U' })).toEqual([]);
      const alarms = await exportRows(h, { kind: 'alarms', from: new Date(T0), to: new Date(T0 + N * 900_000), point: 'T' });
      expect(alarms.map((a) => [a.rule, a.period_start, a.period_end, a.severity]).sort()).toEqual([
        ['demand-jump', iso(19), iso(20), 'info'],
        ['outlier', iso(19), iso(20), 'warning'],
        ['outlier', iso(34), iso(35), 'critical'],
      ]);
      // The registers it does not read stay without energy.
      const [iv] = await exportRows(h, { kind: 'intervals', from: new Date(T0 + 19 * 900_000), to: new Date(T0 + 20 * 900_000), point: 'T' });
      expect([iv!['ap_imp.total'], iv!['ap_imp.flat'], iv!['ap_exp.total']]).toEqual(['51.0000', null, null]);
    });
  }
});

describe.each(dbTargets())('a register that goes down and stays down on $name PostgreSQL', (target) => {
  for (const [path, recompute] of [['bulk', recomputeBulk], ['figure', recomputeRanges]] as const) {
    let h: Database;
    beforeAll(async () => {
      h = await archivedDatabase(target, ARCHIVE.replace('points:', 'points:\n  - { id: D, substation: S, name: drops once, timeZone: Europe/Berlin }'));
      // A whole day, 1.00 kWh an interval, but the reading at 10:00 is 101.00 lower and the register goes on from there:
      // the day ends 4.00 below its start.
      const day = Array.from({ length: 97 }, (_, i) => ({ pointId: 'D', ts: new Date(T0 + i * 900_000), source: 'poll' as const, values: [100_000 + 100 * i - (i >= 40 ? 10_100 : 0), ...new Array<number | null>(19).fill(null)] }));
      await writeReadings(h, day, { markDirty: false });
    });
    afterAll(() => h.close());

    it(`raises one outlier, on the interval that went down, not a second one on its day (${path} path)`, async () => {
      await recompute(h, [{ pointId: 'D', from: new Date(T0), to: new Date(T0 + 96 * 900_000) }]);
      const alarms = await exportRows(h, { kind: 'alarms', from: new Date(T0), to: new Date(T0 + 96 * 900_000), point: 'D' });
      expect(alarms.map((a) => [a.rule, a.period_start, a.period_end])).toEqual([['outlier', iso(39), iso(40)]]);
    });
  }
});
