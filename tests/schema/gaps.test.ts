import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importArchiveFile, missingIntervals, writeReadings, type Database } from '../../schema/index.ts';
import { dbTargets, freshDatabase } from '../support/db.ts';

describe.each(dbTargets())('missing intervals on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await freshDatabase(target);
    await importArchiveFile(h, 'examples/archive.yaml');
  });
  afterAll(() => h.close());

  it('reports each run of missing 15-minute records, ends included', async () => {
    const at = (m: number) => new Date(Date.UTC(2026, 9, 1, 0, m));
    const values = new Array(20).fill(100);
    // Stored: 00:00, 00:15, 01:00; missing 00:30–00:45 and 01:15–01:30.
    await writeReadings(h, [0, 15, 60].map((m) => ({ pointId: 'F1', ts: at(m), source: 'poll' as const, values })));
    const gaps = await missingIntervals(h, at(0), at(90), ['F1']);
    expect(gaps).toEqual([
      { pointId: 'F1', first: at(30), last: at(45), count: 2 },
      { pointId: 'F1', first: at(75), last: at(90), count: 2 },
    ]);
    // A window starting between boundaries begins at the next boundary.
    expect((await missingIntervals(h, at(20), at(40), ['F1']))[0]).toEqual({ pointId: 'F1', first: at(30), last: at(30), count: 1 });
    const all = await missingIntervals(h, at(0), at(90));
    expect(new Set(all.map((g) => g.pointId)).size).toBe(9);
  });
});
