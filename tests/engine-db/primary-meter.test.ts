/**
 * A meter that registers primary values counts with multiplier 1 only while it is installed:
 * the secondary meter that replaces it takes the point's CT × PT again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReadings, type Database, type ReadingRow } from '../../schema/index.ts';
import { drainTasks, exportRows } from '../../calc-engine/store/index.ts';
import { archivedDatabase, dbTargets } from '../support/db.ts';

const archive = `
substations: [{ id: S, name: S, timeZone: Europe/Berlin }]
meters:
  - { id: MA, serial: A, primaryValues: true }
  - { id: MB, serial: B }
points:
  - { id: P, substation: S, name: feeder, timeZone: Europe/Berlin, ctRatio: 40, ptRatio: 100 }
installations:
  - { point: P, meter: MA, installedAt: "2026-10-01T00:00:00+02:00", removedAt: "2026-10-03T00:00:00+02:00", initial: { ap_imp.total: 1000.00 }, final: { ap_imp.total: 1192.00 } }
  - { point: P, meter: MB, installedAt: "2026-10-03T00:00:00+02:00", initial: { ap_imp.total: 0.00 } }
`;

const reading = (ts: string, hundredths: number): ReadingRow => {
  const values = new Array<number | null>(20).fill(null);
  values[0] = hundredths;
  return { pointId: 'P', ts: new Date(ts), source: 'poll', values };
};

describe.each(dbTargets())('a primary-value meter replaced on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await archivedDatabase(target, archive);
    await writeReadings(h, [
      reading('2026-10-02T00:00:00+02:00', 109_600), // MA, primary: 1 096.00 kWh
      reading('2026-10-04T00:00:00+02:00', 24), //      MB, secondary: 0.24 kWh × 4 000
      reading('2026-10-05T00:00:00+02:00', 48),
    ]);
    await drainTasks(h);
  });
  afterAll(() => h.close());

  it('counts the primary meter with M = 1 and the secondary one after it with CT × PT', async () => {
    const days = await exportRows(h, { kind: 'daily', from: { local: '2026-10-01' }, to: { local: '2026-10-05' }, point: 'P' });
    // MA: 1 000.00 → 1 096.00 → 1 192.00 (final), × 1; MB: 0.00 (initial) → 0.24 → 0.48, × 4 000.
    expect(days.map((d) => [d.day, d['ap_imp.total'], d.quality])).toEqual([
      ['2026-10-01', '96.0000', 'actual'],
      ['2026-10-02', '96.0000', 'actual'],
      ['2026-10-03', '960.0000', 'actual'],
      ['2026-10-04', '960.0000', 'actual'],
    ]);
  });
});
