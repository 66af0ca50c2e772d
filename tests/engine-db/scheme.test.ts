/**
 * The statistical scheme set in the archive: days from the day-start hour and billing months
 * closing on the close day reach the stored figures; a changed scheme recomputes every figure
 * and clears the alarms of the old days and months, and figures computed under the old one are
 * not written after it;
 * while a month is settled the scheme cannot change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { writeReadings, type Database, type ReadingRow } from '../../schema/index.ts';
import { drainTasks, exportRows, recomputeBulk, recomputeRanges } from '../../calc-engine/store/index.ts';
import { statisticalScheme } from '../../calc-engine/index.ts';
import { archivedDatabase, dbTargets, importArchiveText } from '../support/db.ts';

const archive = (scheme: string) => `
scheme: ${scheme}
substations: [{ id: S, name: S, timeZone: Europe/Berlin }]
points:
  - { id: A, substation: S, name: incomer, timeZone: Europe/Berlin }
objects: [{ id: O, kind: custom, name: feeder A, members: [{ point: A, role: in }] }]
`;

// A counts 1.00 kWh per 15 minutes from 2026-10-24 00:00 to 2026-10-27 00:00 Berlin (the 25th
// has 25 hours: 100 intervals).
const start = Date.parse('2026-10-23T22:00:00Z');
const end = Date.parse('2026-10-26T23:00:00Z');
const readings: ReadingRow[] = [];
for (let t = start, i = 0; t <= end; t += 900_000, i++) {
  const v = new Array<number | null>(20).fill(null);
  v[0] = 100_000 + i * 100;
  readings.push({ pointId: 'A', ts: new Date(t), source: 'poll', values: v });
}

const days = (h: Database) => exportRows(h, { kind: 'daily', from: { local: '2026-10-01' }, to: { local: '2026-11-01' }, point: 'A' });

describe.each(dbTargets())('statistical scheme on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await archivedDatabase(target, archive('{ monthCloseDay: 25, monthLabel: end }'));
    await writeReadings(h, readings);
    await drainTasks(h);
  });
  afterAll(() => h.close());

  it('closes billing months on the 25th, named by the month they close in', async () => {
    const months = await exportRows(h, { kind: 'monthly', from: { local: '2026-10-01' }, to: { local: '2026-12-01' }, point: 'A' });
    // October closes on 25 October 00:00 Berlin (CEST, 22:00 UTC the day before); November
    // runs from there to 25 November 00:00 (CET).
    expect(months.map((m) => [m.month, m.period_start, m.period_end])).toEqual([
      ['2026-10', '2026-09-24T22:00:00.000Z', '2026-10-24T22:00:00.000Z'],
      ['2026-11', '2026-10-24T22:00:00.000Z', '2026-11-24T23:00:00.000Z'],
    ]);
    // The object's month results are picked by the same labels: October is the one ending 25 October.
    const losses = await exportRows(h, { kind: 'losses', from: { local: '2026-10-01' }, to: { local: '2026-11-01' }, object: 'O' });
    expect(losses.filter((r) => r.period_kind === 'month').map((r) => [r.period_start, r.period_end])).toEqual([['2026-09-24T22:00:00.000Z', '2026-10-24T22:00:00.000Z']]);
  });

  it('recomputes every figure when the day-start hour changes', async () => {
    const before = await days(h);
    // The days either side of the readings are missing: no boundary reading.
    expect(before.map((d) => [d.day, d['ap_imp.total']])).toEqual([['2026-10-23', null], ['2026-10-24', '96.0000'], ['2026-10-25', '100.0000'], ['2026-10-26', '96.0000'], ['2026-10-27', null]]);
    // An alarm of a month of the old scheme: no recomputation judges that period again.
    await sql`INSERT INTO alarm (rule, object_kind, object_id, period_start, period_end, observed, limit_value, severity, state, message)
      VALUES ('energy-limit', 'point', 'A', '2026-10-24T22:00:00Z', '2026-11-24T23:00:00Z', 392, 300, 'warning', 'open', 'energy-limit on point A')`.execute(h.db);
    await importArchiveText(h, archive('{ dayStartHour: 6, monthCloseDay: 25, monthLabel: end }'));
    expect((await sql<{ state: string }>`SELECT state FROM alarm WHERE rule = 'energy-limit'`.execute(h.db)).rows).toEqual([{ state: 'cleared' }]);
    await drainTasks(h);
    // Days now run 06:00 to 06:00: the 24th from 06:00 CEST (04:00 UTC) to the 25th 06:00 CET,
    // 25 hours = 100 intervals; the 23rd and the 26th lack a boundary reading.
    const after = await days(h);
    expect(after.map((d) => [d.day, d.period_start, d['ap_imp.total'], d.quality])).toEqual([
      ['2026-10-23', '2026-10-23T04:00:00.000Z', null, 'missing'],
      ['2026-10-24', '2026-10-24T04:00:00.000Z', '100.0000', 'actual'],
      ['2026-10-25', '2026-10-25T05:00:00.000Z', '96.0000', 'actual'],
      ['2026-10-26', '2026-10-26T05:00:00.000Z', null, 'missing'],
    ]);
  });

  it('refuses a new scheme while a month is settled, and keeps the figures', async () => {
    const before = await days(h);
    await sql`WITH run AS (INSERT INTO settlement_run (month, version, state, actor) VALUES ('2026-10-01', 1, 'locked', 'test') RETURNING id)
      INSERT INTO month_lock (month, point_id, run_id, period_start, period_end) SELECT '2026-10-01', 'A', id, '2026-09-24T22:00:00Z', '2026-10-24T22:00:00Z' FROM run`.execute(h.db);
    await expect(importArchiveText(h, archive('{ monthCloseDay: 1 }'))).rejects.toThrow(/cannot change while a month is settled \(2026-10 of point A is locked\); reopen/);
    expect(await days(h)).toEqual(before);
  });

  it('does not write figures computed under a scheme that is no longer stored', async () => {
    // A batch that began before a scheme change and writes after it (here: under the default).
    const before = await days(h);
    const range = [{ pointId: 'A', from: new Date(start), to: new Date(end) }];
    for (const recompute of [recomputeBulk, recomputeRanges]) {
      await expect(recompute(h, range, { scheme: statisticalScheme({}) })).rejects.toThrow(/statistical scheme changed while these figures were computed under the old one: not written/);
    }
    expect(await days(h)).toEqual(before);
  });

  it('refuses a close hour other than the day-start hour, naming the field', async () => {
    await expect(importArchiveText(h, archive('{ dayStartHour: 6, monthCloseHour: 0 }'))).rejects.toThrow(/a\.yaml:2: scheme\.monthCloseHour: must equal dayStartHour \(6\)/);
  });
});
