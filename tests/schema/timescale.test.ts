/**
 * TimescaleDB conformance: the migrations and the storage adapter's contract on the PGlite
 * build with TimescaleDB 2.23 (no TimescaleDB server installs on these machines).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { compressChunks, databaseStatus, openDatabase, readReadings, writeReadings, type Database, type ReadingRow } from '../../schema/index.ts';
import { startTimescale, type TimescaleServer } from '../support/timescale.ts';

const rows = (n: number, offset = 0): ReadingRow[] =>
  Array.from({ length: n }, (_, i) => ({
    pointId: `P${i % 4}`,
    ts: new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 4) * 900_000),
    source: 'import',
    values: Array.from({ length: 20 }, (_, j) => 1000 + Math.floor(i / 4) * 25 + j + offset),
  }));

describe('TimescaleDB conformance (PGlite + TimescaleDB 2.23)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'meterflow-tsdb-'));
  let server: TimescaleServer;
  let h: Database;
  const open = async () => {
    server = await startTimescale(dataDir);
    h = await openDatabase({ url: server.url, poolSize: 1, copy: false });
  };
  const close = async () => {
    await h.close();
    await server.stop();
  };
  beforeAll(open);
  afterAll(async () => {
    await close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrates to hypertables with compression segmented by point', async () => {
    const s = await databaseStatus(h);
    expect(s.storage).toBe('timescaledb');
    expect(s.timescaledb).toMatch(/^2\.2\d/);
    const ht = await sql<{ hypertable_name: string; compression_enabled: boolean }>`
      SELECT hypertable_name, compression_enabled FROM timescaledb_information.hypertables ORDER BY 1`.execute(h.db);
    expect(ht.rows).toEqual(['acquisition_log', 'instant_value', 'interval_energy', 'reading'].map((t) => ({ hypertable_name: t, compression_enabled: true })));
    const seg = await sql<{ attname: string }>`
      SELECT attname FROM timescaledb_information.compression_settings WHERE hypertable_name = 'reading' AND segmentby_column_index = 1`.execute(h.db);
    expect(seg.rows.map((r) => r.attname)).toEqual(['point_id']);
  });

  it('bulk-inserts without COPY and reads every row back', async () => {
    const r = await writeReadings(h, rows(4 * 1500));
    expect(r).toMatchObject({ written: 6000, unchanged: 0, conflicts: [] });
    const back = await readReadings(h, 'P1', new Date('2026-01-01'), new Date('2026-02-01'));
    expect(back).toHaveLength(1500);
    expect(back[10]!.values[0]).toBe(1000 + 10 * 25);
  });

  it('compresses chunks that stay readable and accept idempotent upserts', async () => {
    const compressed = await compressChunks(h.db, 'reading', new Date('2026-06-01'));
    expect(compressed).toBeGreaterThan(0);
    const chunks = await sql<{ n: number }>`SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'reading' AND is_compressed`.execute(h.db);
    expect(chunks.rows[0]!.n).toBe(compressed);
    expect(await writeReadings(h, rows(4 * 1500))).toMatchObject({ written: 0, unchanged: 6000, conflicts: [] });
    const conflicting = rows(4, 7);
    const r = await writeReadings(h, conflicting);
    expect(r.written).toBe(0);
    expect(r.conflicts).toHaveLength(4 * 20);
    const back = await readReadings(h, 'P0', new Date('2026-01-01'), new Date('2026-01-01T00:00:00Z'));
    expect(back[0]!.values[0]).toBe(1000);
  });

  it('reads compressed chunks after a restart', async () => {
    await close();
    await open();
    const back = await readReadings(h, 'P3', new Date('2026-01-01'), new Date('2026-02-01'));
    expect(back).toHaveLength(1500);
    expect(back.at(-1)!.values[19]).toBe(1000 + 1499 * 25 + 19);
  });
});
