/**
 * Bulk write benchmark: register snapshots per second through the bulk path (COPY into a
 * staging table + one upsert) against a plain multi-row INSERT … ON CONFLICT baseline, side by
 * side in the same run, on the embedded PostgreSQL and (when it answers) the local one.
 *
 *   node --import tsx bench/bulk-write.ts [snapshots=200000]
 */
import os from 'node:os';
import pg from 'pg';
import { createDatabase, ensureEmbedded, openDatabase, REGISTER_COLUMNS, writeReadings, type ReadingRow } from '../schema/index.ts';

const total = Number(process.argv[2] ?? 200_000);
const BATCH = 10_000;

function snapshots(n: number): ReadingRow[] {
  const points = 200;
  return Array.from({ length: n }, (_, i) => ({
    pointId: `P${String(i % points).padStart(4, '0')}`,
    ts: new Date(Date.UTC(2026, 9, 1) + Math.floor(i / points) * 900_000),
    source: 'import',
    values: Array.from({ length: 20 }, (_, j) => 1_000_000 + Math.floor(i / points) * 37 + j),
  }));
}

const freshDb = async (adminUrl: string) => (await createDatabase(adminUrl, `mf_bench_${Date.now()}`)).url;

async function baseline(url: string, rows: ReadingRow[]): Promise<number> {
  const h = await openDatabase({ url });
  // Same partitions as the bulk path, so only the write method differs.
  await writeReadings(h, [rows[0]!, rows.at(-1)!], { markDirty: false });
  await h.db.deleteFrom('reading').execute();
  const cols = ['point_id', 'ts', 'source', 'quality', ...REGISTER_COLUMNS];
  const client = await h.pool.connect();
  const t = performance.now();
  for (let i = 0; i < rows.length; i += 1000) {
    const part = rows.slice(i, i + 1000);
    const params: unknown[] = [];
    const tuples = part.map((r) => {
      const b = params.length;
      params.push(r.pointId, r.ts, r.source, 'actual', ...r.values);
      return `(${cols.map((_, j) => `$${b + j + 1}`).join(',')})`;
    });
    await client.query(`INSERT INTO reading (${cols.join(',')}) VALUES ${tuples.join(',')} ON CONFLICT (point_id, ts) DO NOTHING`, params);
  }
  const ms = performance.now() - t;
  client.release();
  await h.close();
  return ms;
}

async function bulk(url: string, rows: ReadingRow[]): Promise<number> {
  const h = await openDatabase({ url });
  const t = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) await writeReadings(h, rows.slice(i, i + BATCH));
  const ms = performance.now() - t;
  await h.close();
  return ms;
}

const rows = snapshots(total);
const targets: [string, string][] = [['embedded PostgreSQL 17', (await ensureEmbedded()).url]];
const local = process.env.MF_BENCH_LOCAL_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
try {
  const c = new pg.Client({ connectionString: local });
  await c.connect();
  await c.end();
  targets.push(['local PostgreSQL', local]);
} catch {
  console.log(`(no PostgreSQL at ${local}; embedded only)`);
}
console.log(`machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; node ${process.version}`);
console.log(`${total} snapshots × 20 registers, batches of ${BATCH}`);
for (const [name, admin] of targets) {
  const base = await baseline(await freshDb(admin), rows);
  const fast = await bulk(await freshDb(admin), rows);
  const rate = (ms: number) => Math.round(total / (ms / 1000));
  console.log(`| ${name} | ${rate(fast)} | ${rate(base)} | ${(base / fast).toFixed(2)}× |`);
}
