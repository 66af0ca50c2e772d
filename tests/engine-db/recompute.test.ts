/**
 * The engine against a real database: dirty ranges from the write path are claimed and
 * recomputed into interval, daily and monthly energy and object results that match
 * hand-computed figures; recomputing again changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeReadings, type Database, type ReadingRow } from '../../schema/index.ts';
import { drainTasks, exportRows, recomputeRanges } from '../../calc-engine/store/index.ts';
import { taskCounts } from '../../calc-engine/tasks/index.ts';
import { archivedDatabase, dbTargets } from '../support/db.ts';

const archive = `
substations: [{ id: S, name: S, timeZone: Europe/Berlin }]
points:
  - { id: A, substation: S, name: incomer, timeZone: Europe/Berlin, ctRatio: 40, ptRatio: 100 }
  - { id: B, substation: S, name: feeder b, timeZone: Europe/Berlin }
  - { id: C, substation: S, name: feeder c, timeZone: Europe/Berlin }
objects:
  - id: BUS
    kind: bus
    name: bus
    voltageKv: 10
    members: [{ point: A, role: in }, { point: B, role: out }, { point: C, role: out }]
`;

// Every 15 minutes from 2026-10-24 00:00 to 2026-10-27 00:00 Berlin (the 25th has 25 hours):
// A counts 0.05 kWh secondary per interval (× M = 4000 → 200 kWh primary), B 120 kWh, C 76 kWh.
const start = Date.parse('2026-10-23T22:00:00Z');
const end = Date.parse('2026-10-26T23:00:00Z');
function series(point: string, step: number, base: number): ReadingRow[] {
  const rows: ReadingRow[] = [];
  for (let t = start, i = 0; t <= end; t += 900_000, i++) {
    const v = new Array<number | null>(20).fill(null);
    v[0] = base + i * step;
    rows.push({ pointId: point, ts: new Date(t), source: 'poll', values: v });
  }
  return rows;
}

describe.each(dbTargets())('engine recompute on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await archivedDatabase(target, archive);
    await writeReadings(h, [...series('A', 5, 100_000), ...series('B', 12_000, 5_000_000), ...series('C', 7_600, 7_000_000)]);
  });
  afterAll(() => h.close());

  it('drains the tasks the writes created into exact daily figures, 25-hour day included', async () => {
    expect((await taskCounts(h)).pending).toBeGreaterThan(0);
    await drainTasks(h);
    expect(await taskCounts(h)).toMatchObject({ pending: 0, running: 0, failed: 0 });
    const daily = await exportRows(h, { kind: 'daily', from: { local: '2026-10-24' }, to: { local: '2026-10-27' }, point: 'A' });
    // 24 h × 4 intervals × 200 kWh = 19 200 kWh; the 25-hour day of 25 October: 20 000 kWh.
    expect(daily.map((d) => [d.day, d['ap_imp.total'], d.quality])).toEqual([
      ['2026-10-24', '19200.0000', 'actual'],
      ['2026-10-25', '20000.0000', 'actual'],
      ['2026-10-26', '19200.0000', 'actual'],
    ]);
  });

  it('computes the bus balance per day: input A, output B + C, loss and rate', async () => {
    const losses = await exportRows(h, { kind: 'losses', from: new Date('2026-10-24T00:00:00+02:00'), to: new Date('2026-10-25T00:00:00+02:00'), object: 'BUS' });
    // Per interval: in 200, out 120 + 76 = 196, loss 4 kWh (2 %); a day of 96 intervals: 19 200 / 18 816 / 384.
    expect(losses).toEqual([expect.objectContaining({ period_kind: 'day', input: '19200.0000', output: '18816.0000', loss: '384.0000', loss_rate: '0.02000000', quality: 'actual' })]);
    // A date is the object's local day (its members' zone), not UTC midnight; a month result is
    // picked by its label, as monthly energy is: October holds the 24th.
    const byDate = await exportRows(h, { kind: 'losses', from: { local: '2026-10-24' }, to: { local: '2026-10-25' }, object: 'BUS' });
    expect(byDate.filter((r) => r.period_kind === 'day')).toEqual(losses);
    expect(byDate.filter((r) => r.period_kind === 'month').map((r) => r.period_start)).toEqual(['2026-09-30T22:00:00.000Z']);
  });

  const dump = () => execFileSync('psql', [h.url, '-At', '-c', 'SELECT md5(string_agg(t::text, \'|\' ORDER BY t::text)) FROM (SELECT point_id, day, ap_imp_total, quality FROM daily_energy UNION ALL SELECT object_id, period_start::date, loss, quality FROM object_result) t']).toString();

  it('gives the same figures when recomputed again', async () => {
    const before = dump();
    await recomputeRanges(h, ['A', 'B', 'C'].map((pointId) => ({ pointId, from: new Date(start), to: new Date(end) })));
    expect(dump()).toBe(before);
  });

  it('takes ranges of one point that meet or overlap, writing each interval once', async () => {
    const before = dump();
    const mid = start + Math.floor((end - start) / 2 / 900_000) * 900_000;
    const stats = await recomputeRanges(h, [{ pointId: 'A', from: new Date(start), to: new Date(mid) }, { pointId: 'A', from: new Date(mid), to: new Date(end) }, { pointId: 'A', from: new Date(mid - 3_600_000), to: new Date(mid + 3_600_000) }]);
    expect(stats.intervals).toBe(Math.round((end - start) / 900_000) + 4); // the grid and two either side (WINDOW_REACH_INTERVALS)
    expect(dump()).toBe(before);
  });

  it('writes them again from nothing with `meterflow engine recompute`, reporting progress', () => {
    const before = dump();
    execFileSync('psql', [h.url, '-c', 'TRUNCATE interval_energy, daily_energy, monthly_energy, object_result']);
    const r = spawnSync('node', ['cli/bin.js', 'engine', 'recompute', '--from', '2026-10-24T00:00:00+02:00', '--to', '2026-10-27T00:00:00+01:00'], { env: { ...process.env, DATABASE_URL: h.url }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    // 3 points × (292 intervals of 24 + 25 + 24 hours, and two either side); 5 days each, as
    // the edge intervals touch 23 and 27 October; one month each; the bus for 5 days and 1 month.
    expect(r.stderr).toMatch(/recompute: 3 points: 888 intervals, 15 days, 3 months, 6 object results; alarms 0 raised/);
    expect(dump()).toBe(before);
  });

  it('takes along the pending tasks inside its range, and leaves those outside pending', async () => {
    // A corrected reading inside the range and a new one a week later: two tasks of point B.
    const v = (x: number) => [x, ...new Array<number | null>(19).fill(null)];
    await writeReadings(h, [{ pointId: 'B', ts: new Date('2026-10-25T09:00:00Z'), source: 'import', values: v(5_000_000 + 12_000 * 110) }], { onConflict: 'correct', actor: 't', reason: 'test' });
    await writeReadings(h, [{ pointId: 'B', ts: new Date('2026-11-03T09:00:00Z'), source: 'import', values: v(9_000_000) }]);
    const pending = () => execFileSync('psql', [h.url, '-At', '-c', "SELECT string_agg(to_char(from_ts AT TIME ZONE 'UTC', 'MM-DD'), ',' ORDER BY from_ts) FROM calc_task WHERE point_id = 'B' AND state = 'pending'"]).toString().trim();
    expect(pending()).toBe('10-25,11-03');
    const r = spawnSync('node', ['cli/bin.js', 'engine', 'recompute', '--from', '2026-10-24', '--to', '2026-10-27'], { env: { ...process.env, DATABASE_URL: h.url }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(pending()).toBe('11-03');
  });
});
