/**
 * Settlement benchmark: one month of N accounts (default 100 000) on the local PostgreSQL, with
 * the engine's monthly figures generated in SQL. Mix: 60 % TOU with a capacity charge, the
 * power-factor table 0.90 and a tariff change on the 16th prorated by days; 20 % single price
 * with a demand charge from demand registers; 20 % single price; every tenth account has a
 * sub-meter subtracted. Reports the time of `settleMonth` (gate, statements, lines, locks) and
 * of a CSV export, in a fresh database that is dropped afterwards.
 *
 *   node --import tsx bench/settlement.ts [accounts=100000] [adminUrl=postgres://postgres@127.0.0.1:5432/test]
 */
import os from 'node:os';
import { sql } from 'kysely';
import { createDatabase, openDatabase } from '../schema/index.ts';
import { exportRun, settleMonth } from '../calc-engine/settlement/index.ts';

const N = Number(process.argv[2] ?? 100_000);
const ADMIN = process.argv[3] ?? process.env.MF_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

const scratch = await createDatabase(ADMIN, `mf_bench_settle_${process.pid}`);
const h = await openDatabase({ url: scratch.url });
try {
  const t0 = performance.now();
  const tou = (p: string[]) => ({ energy: { sharp: p[0], peak: p[1], flat: p[2], valley: p[3] }, basic: { kind: 'capacity', pricePerKva: '3.20', contractedKva: 630 }, powerFactor: { standard: '0.90' }, schedule: 'TOU' });
  await sql`INSERT INTO substation (id, name) VALUES ('S', 'S')`.execute(h.db);
  await sql`INSERT INTO tariff (id, name, effective_from, effective_to, spec) VALUES
    ('TOU-A', 'TOU until 15 Oct', '2026-01-01', '2026-10-15', ${JSON.stringify(tou(['0.2150', '0.1820', '0.1240', '0.0610']))}::jsonb),
    ('TOU-B', 'TOU from 16 Oct', '2026-10-16', NULL, ${JSON.stringify({ ...tou(['0.2300', '0.1950', '0.1300', '0.0650']), midMonth: 'prorate' })}::jsonb),
    ('DEM', 'demand', '2026-01-01', NULL, ${JSON.stringify({ energy: { kind: 'single', price: '0.1500' }, basic: { kind: 'demand', pricePerKw: '40.00' } })}::jsonb),
    ('FLAT', 'single', '2026-01-01', NULL, ${JSON.stringify({ energy: { kind: 'single', price: '0.5000' } })}::jsonb)`.execute(h.db);
  await sql`INSERT INTO metering_point (id, substation_id, name, time_zone, ct_ratio)
    SELECT 'P' || i, 'S', 'P' || i, 'UTC', 20 FROM generate_series(1, ${N}) i
    UNION ALL SELECT 'Q' || i, 'S', 'Q' || i, 'UTC', 1 FROM generate_series(10, ${N}, 10) i`.execute(h.db);
  await sql`INSERT INTO account (id, name, tariff_id)
    SELECT 'A' || i, 'Customer ' || i, CASE WHEN i % 10 < 6 THEN 'TOU-A' WHEN i % 10 < 8 THEN 'DEM' ELSE 'FLAT' END FROM generate_series(1, ${N}) i`.execute(h.db);
  await sql`INSERT INTO account_member (account_id, point_id, sign)
    SELECT 'A' || i, 'P' || i, 1 FROM generate_series(1, ${N}) i
    UNION ALL SELECT 'A' || i, 'Q' || i, -1 FROM generate_series(10, ${N}, 10) i`.execute(h.db);
  await sql`INSERT INTO monthly_energy (point_id, month, period_start, period_end, quality,
      ap_imp_total, ap_imp_sharp, ap_imp_peak, ap_imp_flat, ap_imp_valley, ap_exp_total, rp_imp_total, rp_exp_total)
    SELECT id, '2026-10-01', '2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z', 'actual', s + p + f + v, s, p, f, v, 0, q, 0
    FROM (SELECT id, (h % 997) * 1.37 AS s, (h % 1999) * 2.11 AS p, (h % 2999) * 3.03 AS f, (h % 3989) * 1.19 AS v, (h % 1499) * 2.57 AS q
          FROM (SELECT id, abs(hashtext(id)) AS h FROM metering_point) x) y`.execute(h.db);
  await sql`INSERT INTO demand (point_id, month, register, value_w, occurred_at)
    SELECT 'P' || i, '2026-10-01', 'ap_imp.total', 1000 + (i * 7919) % 50000, '2026-10-14T10:15:00Z' FROM generate_series(1, ${N}) i WHERE i % 10 IN (6, 7)`.execute(h.db);
  await sql`ANALYZE`.execute(h.db);
  const tData = performance.now();

  const r = await settleMonth(h, { month: '2026-10', actor: 'bench' });
  const tSettle = performance.now();
  const lines = await sql<{ n: string }>`SELECT count(*)::text AS n FROM statement_line`.execute(h.db);
  const dir = `${os.tmpdir()}/mf-bench-settle-${process.pid}`;
  await exportRun(h, { month: '2026-10', dir, format: 'csv' });
  const tExport = performance.now();

  const v = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(h.db);
  console.log(`machine: ${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL ${v.rows[0]!.v}`);
  console.log(`data: ${N} accounts, ${N + Math.floor(N / 10)} points, generated in ${((tData - t0) / 1000).toFixed(1)} s`);
  console.log(`settleMonth: ${r.statements.length} statements, ${lines.rows[0]!.n} lines, total ${r.run.summary.total} ${r.run.summary.currency.join('/')}, in ${((tSettle - tData) / 1000).toFixed(1)} s (${Math.round(r.statements.length / ((tSettle - tData) / 1000))} accounts/s)`);
  const ms = (x: number) => `${(x / 1000).toFixed(1)} s`;
  console.log(`  gate (read + check figures) ${ms(r.timings.gate)}, compute ${ms(r.timings.compute)}, write (statements, lines, locks, audit) ${ms(r.timings.write)}`);
  console.log(`CSV export of the run: ${((tExport - tSettle) / 1000).toFixed(1)} s into ${dir}`);
} finally {
  await h.close();
  await scratch.drop();
}
