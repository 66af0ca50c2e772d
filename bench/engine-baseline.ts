/**
 * The reference SQL implementation the engine benchmark (bench/engine.ts) runs side by side:
 * interval energy with lag() over each point's readings, daily and monthly energy from the
 * boundary readings, × the point's multiplier — the same rows and cells the engine writes for a
 * full recompute of points with one meter, an integer multiplier and no bypass or manual energy
 * (the benchmark data). Missing readings give missing rows (`no-reading`), as the engine's do
 * where no short gap can be interpolated; a register that wraps at the default capacity is
 * taken as a rollover when plausible. And the comparison query that proves both agree.
 */
import type pg from 'pg';
import { REGISTER_COLUMNS } from '../schema/index.ts';

/** A labelled period (day `YYYY-MM-DD`, month `YYYY-MM-01`) in epoch ms. */
export interface BaselinePeriod {
  label: string;
  from: number;
  to: number;
}

/** What the baseline computes: points, the interval window (ends in (from, to]), days and months. */
export interface BaselineJob {
  points: string[];
  intervalFrom: number;
  intervalTo: number;
  stepMs: number;
  days: BaselinePeriod[];
  months: BaselinePeriod[];
  /** Target tables (default the engine's own). */
  tables?: { interval: string; daily: string; monthly: string };
}

const CAP = 100_000_000; // the meter table's default capacity, in register steps

/** A register delta with the engine's rollover rule (wrap accepted up to a tenth of the capacity × the span's intervals, and below half the register). */
const delta = (a: string, b: string, intervals: string) =>
  `CASE WHEN ${b} >= ${a} THEN ${b} - ${a} WHEN ${b} - ${a} + ${CAP} <= least(${CAP / 10} * ${intervals}, ${CAP / 2 - 1}) THEN ${b} - ${a} + ${CAP} END`;
const energy = (d: string) => `round((${d}) * m / 100, 4)`;
const allPresent = (alias: string) => REGISTER_COLUMNS.map((c) => `${alias}.${c} IS NOT NULL`).join(' AND ');

function intervalSql(job: BaselineJob, table: string): string {
  const lagged = REGISTER_COLUMNS.map((c) => `lag(${c}) OVER w AS p_${c}`).join(', ');
  const cells = REGISTER_COLUMNS.map((c) => `CASE WHEN ok THEN ${energy(delta(`p_${c}`, c, '1'))} END`).join(', ');
  return `
    WITH pts AS (SELECT id, ct_ratio * pt_ratio AS m FROM metering_point WHERE id = ANY($1::text[])),
    r AS (
      SELECT point_id, ts, ${REGISTER_COLUMNS.join(', ')}, lag(ts) OVER w AS prev_ts, ${lagged}
      FROM reading WHERE point_id = ANY($1::text[]) AND ts >= $2::timestamptz - $4::interval AND ts <= $3
      WINDOW w AS (PARTITION BY point_id ORDER BY ts)),
    g AS (
      SELECT p.id AS point_id, p.m, t.ts, ${REGISTER_COLUMNS.map((c) => `r.${c}, r.p_${c}`).join(', ')},
        (r.prev_ts = t.ts - $4::interval AND ${allPresent('r')}
        AND ${REGISTER_COLUMNS.map((c) => `r.p_${c} IS NOT NULL`).join(' AND ')}) IS TRUE AS ok
      FROM pts p CROSS JOIN generate_series($2::timestamptz + $4::interval, $3::timestamptz, $4::interval) AS t(ts)
      LEFT JOIN r ON r.point_id = p.id AND r.ts = t.ts)
    INSERT INTO ${table} (point_id, ts, ${REGISTER_COLUMNS.join(', ')}, quality, method, source_from, source_to)
    SELECT g.point_id, g.ts, ${cells}, CASE WHEN ok THEN 'actual' ELSE 'missing' END, CASE WHEN ok THEN NULL ELSE 'no-reading' END,
      g.ts - $4::interval, g.ts
    FROM g`;
}

function periodSql(table: string, key: string): string {
  const ok = `(${allPresent('r0')} AND ${allPresent('r1')})`;
  const n = 'ceil(extract(epoch FROM d.b - d.a) / 900)';
  const cells = REGISTER_COLUMNS.map((c) => `CASE WHEN ${ok} THEN ${energy(delta(`r0.${c}`, `r1.${c}`, n))} END`).join(', ');
  return `
    WITH pts AS (SELECT id, ct_ratio * pt_ratio AS m FROM metering_point WHERE id = ANY($1::text[])),
    d AS (SELECT * FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[]) AS d(label, a, b))
    INSERT INTO ${table} (point_id, ${key}, period_start, period_end, ${REGISTER_COLUMNS.join(', ')}, quality, method, source_from, source_to)
    SELECT p.id, d.label::date, d.a, d.b, ${cells},
      CASE WHEN ${ok} THEN 'actual' ELSE 'missing' END, CASE WHEN ${ok} THEN NULL ELSE 'no-reading' END, d.a, d.b
    FROM pts p CROSS JOIN d
    LEFT JOIN reading r0 ON r0.point_id = p.id AND r0.ts = d.a
    LEFT JOIN reading r1 ON r1.point_id = p.id AND r1.ts = d.b`;
}

/** Run the baseline in one transaction; returns the rows written per table. */
export async function runBaseline(client: pg.PoolClient, job: BaselineJob): Promise<{ intervals: number; days: number; months: number }> {
  const t = job.tables ?? { interval: 'interval_energy', daily: 'daily_energy', monthly: 'monthly_energy' };
  const periods = (ps: BaselinePeriod[]) => [ps.map((p) => p.label), ps.map((p) => new Date(p.from)), ps.map((p) => new Date(p.to))];
  await client.query('BEGIN');
  try {
    const i = await client.query(intervalSql(job, t.interval), [job.points, new Date(job.intervalFrom), new Date(job.intervalTo), `${job.stepMs / 1000} seconds`]);
    const d = await client.query(periodSql(t.daily, 'day'), [job.points, ...periods(job.days)]);
    const m = await client.query(periodSql(t.monthly, 'month'), [job.points, ...periods(job.months)]);
    await client.query('COMMIT');
    return { intervals: i.rowCount ?? 0, days: d.rowCount ?? 0, months: m.rowCount ?? 0 };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/**
 * Rows on which two sets of derived tables disagree (every column but computed_at, numerics
 * compared as numbers), per table; all zero when the engine and the baseline agree on every figure.
 */
export async function disagreements(client: pg.PoolClient, ours: [string, string, string], theirs: [string, string, string]): Promise<number[]> {
  const cols = [['point_id', 'ts'], ['point_id', 'day', 'period_start', 'period_end'], ['point_id', 'month', 'period_start', 'period_end']];
  const out: number[] = [];
  for (let k = 0; k < 3; k++) {
    const list = [...cols[k]!, ...REGISTER_COLUMNS, 'quality', 'method', 'source_from', 'source_to'].join(', ');
    const r = await client.query(`SELECT count(*)::bigint AS n FROM (
      (SELECT ${list} FROM ${ours[k]} EXCEPT ALL SELECT ${list} FROM ${theirs[k]})
      UNION ALL (SELECT ${list} FROM ${theirs[k]} EXCEPT ALL SELECT ${list} FROM ${ours[k]})) x`);
    out.push(Number(r.rows[0].n));
  }
  return out;
}
