import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createServer } from 'node:net';
import { databaseStatus, openDatabase, writeReadings, type Database } from '../../schema/index.ts';
import { dbTargets, freshDatabase } from '../support/db.ts';

describe.each(dbTargets())('migrations on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await freshDatabase(target);
  });
  afterAll(() => h.close());

  it('migrate up from empty to the partition layout', async () => {
    const s = await databaseStatus(h);
    expect(s.migrations.every((m) => m.applied)).toBe(true);
    expect(s.storage).toBe('partitions');
    expect(s.timescaledb).toBeNull();
    const parted = await sql<{ relname: string }>`SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid ORDER BY 1`.execute(h.db);
    expect(parted.rows.map((r) => r.relname)).toEqual(['acquisition_log', 'instant_value', 'interval_energy', 'reading']);
  });

  it('creates monthly partitions on write and routes rows into them', async () => {
    const values = Array.from({ length: 20 }, (_, i) => 100 + i);
    await writeReadings(h, [
      { pointId: 'P', ts: new Date('2026-10-31T23:45:00Z'), source: 'import', values },
      { pointId: 'P', ts: new Date('2026-11-01T00:00:00Z'), source: 'import', values },
    ]);
    const r = await sql<{ part: string; n: number }>`SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM reading GROUP BY 1 ORDER BY 1`.execute(h.db);
    expect(r.rows).toEqual([{ part: 'reading_p202610', n: 1 }, { part: 'reading_p202611', n: 1 }]);
  });

  it('uses only portable SQL for time buckets (date_bin)', async () => {
    const r = await sql<{ b: Date }>`SELECT date_bin('15 minutes', ts, TIMESTAMPTZ '2000-01-01') AS b FROM reading ORDER BY ts LIMIT 1`.execute(h.db);
    expect(r.rows[0]!.b.toISOString()).toBe('2026-10-31T23:45:00.000Z');
  });
});

describe('a database that cannot be reached', () => {
  it('is named, without its password, with what to check', async () => {
    const spare = createServer();
    await new Promise<void>((ok) => spare.listen(0, '127.0.0.1', ok));
    const port = (spare.address() as { port: number }).port;
    await new Promise<void>((ok) => spare.close(() => ok()));
    const err = await openDatabase({ url: `postgres://meter:secret@127.0.0.1:${port}/site` }).then(() => null, (e: Error) => e);
    expect(err?.message).toBe(`cannot use the database at postgres://meter:***@127.0.0.1:${port}/site: connect ECONNREFUSED 127.0.0.1:${port}; check DATABASE_URL (postgres://user@host:port/database) and that the server runs`);
  });
});
