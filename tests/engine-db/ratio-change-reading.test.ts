/**
 * A CT change between two readings: the archive keeps the meter's reading at the change, and the
 * day splits there — (R(tc) − R(start)) × M_old + (R(end) − R(tc)) × M_new. Without that reading
 * (and none stamped at tc) the day cannot be split and stays missing, not guessed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReadings, type Database } from '../../schema/index.ts';
import { drainTasks, exportRows } from '../../calc-engine/store/index.ts';
import { archivedDatabase, dbTargets } from '../support/db.ts';
import { risingReadings } from '../support/readings.ts';

const archive = `
substations: [{ id: S, name: S, timeZone: Europe/Berlin }]
points:
  - { id: P1, substation: S, name: with reading, timeZone: Europe/Berlin, ctRatio: 40, ptRatio: 100 }
  - { id: P2, substation: S, name: without, timeZone: Europe/Berlin, ctRatio: 40, ptRatio: 100 }
ratioChanges:
  - { point: P1, effectiveAt: "2026-10-10T10:07:00+02:00", ctRatio: 80, ptRatio: 100, reading: { ap_imp.total: 1040.50 } }
  - { point: P2, effectiveAt: "2026-10-10T10:07:00+02:00", ctRatio: 80, ptRatio: 100 }
`;
const from = Date.parse('2026-10-09T22:00:00Z'); // 10 October 00:00 Berlin
const to = from + 86_400_000;

describe.each(dbTargets())('a CT change between readings on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await archivedDatabase(target, archive);
    // 1.00 kWh secondary per 15 minutes from 1 000.00: 1 040.00 at 10:00, 1 041.00 at 10:15, 1 096.00 at midnight.
    await writeReadings(h, [...risingReadings('P1', from, to, 100, { start: 100_000 }), ...risingReadings('P2', from, to, 100, { start: 100_000 })]);
    await drainTasks(h);
  });
  afterAll(() => h.close());

  const day = async (point: string) => (await exportRows(h, { kind: 'daily', from: { local: '2026-10-10' }, to: { local: '2026-10-11' }, point }))[0]!;

  it('splits the day at the recorded reading: M = 4 000 before, 8 000 after', async () => {
    // (1 040.50 − 1 000.00) × 4 000 + (1 096.00 − 1 040.50) × 8 000 = 162 000 + 444 000.
    const d = await day('P1');
    expect([d['ap_imp.total'], d.quality]).toEqual(['606000.0000', 'actual']);
    const around = await exportRows(h, { kind: 'intervals', from: new Date('2026-10-10T10:00:00+02:00'), to: new Date('2026-10-10T10:15:00+02:00'), point: 'P1' });
    // The interval holding the change: 0.50 × 4 000 + 0.50 × 8 000.
    expect(around.map((i) => i['ap_imp.total'])).toEqual(['6000.0000']);
  });

  it('leaves the day missing without a reading at the change', async () => {
    const d = await day('P2');
    expect([d['ap_imp.total'], d.quality]).toEqual([null, 'missing']);
  });
});
