/**
 * Reading what a settlement needs from the database: accounts with their members, tariffs, the
 * engine's monthly (and, for split tariff changes, daily) figures, maximum demand from the
 * meters' demand registers or from 15-min interval energy, and pending recomputations.
 * Only I/O here; everything is computed in `prepare.ts` and `statement.ts`.
 */
import { sql, type Kysely } from 'kysely';
import { REGISTER_CODES, REGISTER_COLUMNS } from '../../schema/index.ts';
import { decNormalize, parseDecimal, type Decimal } from './decimal.ts';
import { figuresFromRow, type RegisterFigures } from './model.ts';
import type { TariffRecord } from './tariff.ts';

/** A member point of an account. */
export interface AccountMember {
  pointId: string;
  sign: 1 | -1;
  zone: string;
  intervalSeconds: number;
}

/** An account as stored. */
export interface AccountRecord {
  id: string;
  name: string;
  tariffId: string;
  members: AccountMember[];
}

/** A point's monthly figure from the engine. */
export interface MonthlyFigure {
  quality: 'actual' | 'estimated' | 'missing';
  periodStart: Date;
  periodEnd: Date;
  energy: RegisterFigures;
  /** False when the meter keeps no active-import tier registers (all four null, the total not). */
  tiersKept: boolean;
  /** False when the month has no reactive figure at all (a meter that reads no reactive energy). */
  reactiveKept: boolean;
  /** Why a missing figure is missing (the row's method), e.g. `no-reading`. */
  reasons: string | null;
  /** Registers without a figure in a direction where others have one (a tier missing at a boundary). */
  gaps: string[];
}

const COLS = sql.raw(REGISTER_COLUMNS.join(', '));
const TIER_COLUMNS = ['ap_imp_sharp', 'ap_imp_peak', 'ap_imp_flat', 'ap_imp_valley'] as const;

/** Every account with its members (ordered by account and point), or only `ids`. */
export async function loadAccounts(db: Kysely<any>, ids?: readonly string[]): Promise<AccountRecord[]> {
  const filter = ids ? sql`WHERE a.id = ANY(${ids as string[]}::text[])` : sql``;
  const r = await sql<{ id: string; name: string; tariff_id: string; point_id: string | null; sign: number | null; time_zone: string | null; interval_seconds: number | null }>`
    SELECT a.id, a.name, a.tariff_id, m.point_id, m.sign, p.time_zone, p.interval_seconds
    FROM account a LEFT JOIN account_member m ON m.account_id = a.id LEFT JOIN metering_point p ON p.id = m.point_id
    ${filter} ORDER BY a.id, m.point_id`.execute(db);
  const out: AccountRecord[] = [];
  for (const row of r.rows) {
    let acc = out[out.length - 1];
    if (!acc || acc.id !== row.id) out.push((acc = { id: row.id, name: row.name, tariffId: row.tariff_id, members: [] }));
    if (row.point_id) acc.members.push({ pointId: row.point_id, sign: row.sign === -1 ? -1 : 1, zone: row.time_zone ?? 'UTC', intervalSeconds: row.interval_seconds ?? 900 });
  }
  return out;
}

/** Every stored tariff, dates as `YYYY-MM-DD`. */
export async function loadTariffs(db: Kysely<any>): Promise<TariffRecord[]> {
  const r = await sql<{ id: string; name: string; f: string; t: string | null; spec: unknown }>`
    SELECT id, name, to_char(effective_from, 'YYYY-MM-DD') AS f, to_char(effective_to, 'YYYY-MM-DD') AS t, spec FROM tariff ORDER BY id`.execute(db);
  return r.rows.map((x) => ({ id: x.id, name: x.name, effectiveFrom: x.f, effectiveTo: x.t, spec: x.spec }));
}

/** The engine's monthly figures of `month` (`YYYY-MM-01`) for the points of any account. */
export async function loadMonthlyFigures(db: Kysely<any>, monthDate: string): Promise<Map<string, MonthlyFigure>> {
  const r = await sql<Record<string, unknown>>`
    SELECT point_id, quality, method, period_start, period_end, ${COLS} FROM monthly_energy
    WHERE month = ${monthDate}::date AND point_id IN (SELECT point_id FROM account_member)`.execute(db);
  const out = new Map<string, MonthlyFigure>();
  for (const row of r.rows) {
    out.set(row.point_id as string, {
      quality: row.quality as MonthlyFigure['quality'],
      periodStart: row.period_start as Date,
      periodEnd: row.period_end as Date,
      energy: figuresFromRow(row),
      tiersKept: row.ap_imp_total === null || TIER_COLUMNS.some((c) => row[c] !== null),
      reactiveKept: row.rp_imp_total !== null || row.rp_exp_total !== null,
      reasons: row.method as string | null,
      gaps: REGISTER_CODES.filter((code, i) => row[REGISTER_COLUMNS[i]!] === null && REGISTER_COLUMNS.some((c, k) => row[c] !== null && REGISTER_CODES[k]!.split('.')[0] === code.split('.')[0])),
    });
  }
  return out;
}

/** Daily figures of `points` over [firstDay, lastDay]: point → day → figures ('missing' days left out). */
export async function loadDailyFigures(db: Kysely<any>, points: readonly string[], firstDay: string, lastDay: string): Promise<Map<string, Map<string, RegisterFigures>>> {
  const out = new Map<string, Map<string, RegisterFigures>>();
  if (points.length === 0) return out;
  const r = await sql<Record<string, unknown>>`
    SELECT point_id, to_char(day, 'YYYY-MM-DD') AS d, ${COLS} FROM daily_energy
    WHERE point_id = ANY(${points as string[]}::text[]) AND day BETWEEN ${firstDay}::date AND ${lastDay}::date AND quality <> 'missing'`.execute(db);
  for (const row of r.rows) {
    const p = row.point_id as string;
    if (!out.has(p)) out.set(p, new Map());
    out.get(p)!.set(row.d as string, figuresFromRow(row));
  }
  return out;
}

/**
 * Maximum demand of `points` in kW from the meters' demand register `register` for the month:
 * `value_w` × the multiplier in force at the time of the maximum (the latest CT/PT change
 * before it, else the point's ratios; 1 when the installed meter registers primary values) / 1000.
 */
export async function loadRegisterDemand(db: Kysely<any>, monthDate: string, points: readonly string[], register: string): Promise<Map<string, Decimal>> {
  const out = new Map<string, Decimal>();
  if (points.length === 0) return out;
  const r = await sql<{ point_id: string; kw: string }>`
    SELECT d.point_id,
      (d.value_w::numeric * CASE WHEN COALESCE(mt.primary_values, false) THEN 1
        ELSE COALESCE(rc.ct_ratio, p.ct_ratio) * COALESCE(rc.pt_ratio, p.pt_ratio) END / 1000)::text AS kw
    FROM demand d JOIN metering_point p ON p.id = d.point_id
    LEFT JOIN LATERAL (SELECT ct_ratio, pt_ratio FROM ratio_change r WHERE r.point_id = d.point_id AND r.effective_at <= d.occurred_at
      ORDER BY r.effective_at DESC LIMIT 1) rc ON true
    LEFT JOIN LATERAL (SELECT m.primary_values FROM installation i JOIN meter m ON m.id = i.meter_id
      WHERE i.point_id = d.point_id AND i.installed_at <= d.occurred_at AND (i.removed_at IS NULL OR i.removed_at > d.occurred_at)
      ORDER BY i.installed_at DESC LIMIT 1) mt ON true
    WHERE d.month = ${monthDate}::date AND d.register = ${register} AND d.point_id = ANY(${points as string[]}::text[])`.execute(db);
  for (const row of r.rows) out.set(row.point_id, decNormalize(parseDecimal(row.kw)));
  return out;
}

/** A member's window of interval energy for coincident demand. */
export interface DemandWindow {
  accountId: string;
  pointId: string;
  sign: 1 | -1;
  from: Date;
  to: Date;
}

/**
 * Coincident maximum demand per account in kW from interval energy: the signed sum of the
 * members' active import in each 15-min block (intervals (t−Δ, t] binned by their end), the
 * largest block × 4.
 */
export async function loadIntervalDemand(db: Kysely<any>, windows: readonly DemandWindow[]): Promise<Map<string, Decimal>> {
  const out = new Map<string, Decimal>();
  if (windows.length === 0) return out;
  const r = await sql<{ account_id: string; kw: string }>`
    WITH m AS (SELECT * FROM unnest(${windows.map((w) => w.accountId)}::text[], ${windows.map((w) => w.pointId)}::text[],
      ${windows.map((w) => w.sign)}::int[], ${windows.map((w) => w.from)}::timestamptz[], ${windows.map((w) => w.to)}::timestamptz[])
      AS m(account_id, point_id, sign, from_ts, to_ts))
    SELECT account_id, (max(kwh) * 4)::text AS kw FROM (
      SELECT m.account_id, date_bin('15 minutes', ie.ts - interval '1 microsecond', timestamptz '2000-01-01') AS b,
        sum(m.sign * COALESCE(ie.ap_imp_total, 0)) AS kwh
      FROM m JOIN interval_energy ie ON ie.point_id = m.point_id AND ie.ts > m.from_ts AND ie.ts <= m.to_ts
      GROUP BY 1, 2) x GROUP BY account_id`.execute(db);
  for (const row of r.rows) out.set(row.account_id, parseDecimal(row.kw));
  return out;
}

/** Points among `windows` with a recomputation pending or running inside their month. */
export async function loadPendingRecomputation(db: Kysely<any>, windows: readonly { pointId: string; from: Date; to: Date }[]): Promise<Set<string>> {
  if (windows.length === 0) return new Set();
  const r = await sql<{ point_id: string }>`
    SELECT DISTINCT w.point_id FROM unnest(${windows.map((w) => w.pointId)}::text[], ${windows.map((w) => w.from)}::timestamptz[],
      ${windows.map((w) => w.to)}::timestamptz[]) AS w(point_id, from_ts, to_ts)
    JOIN calc_task t ON t.point_id = w.point_id AND t.state IN ('pending','running') AND t.from_ts <= w.to_ts AND t.to_ts >= w.from_ts`.execute(db);
  return new Set(r.rows.map((x) => x.point_id));
}

/** One interval's active import of a point: its end and energy (kWh, exact). */
export interface IntervalImport {
  end: Date;
  kwh: Decimal;
}

/** Active import of each interval (t−Δ, t] of `windows` with a figure, by point, in time order. */
export async function loadIntervalImport(db: Kysely<any>, windows: readonly { pointId: string; from: Date; to: Date }[]): Promise<Map<string, IntervalImport[]>> {
  const out = new Map<string, IntervalImport[]>();
  if (windows.length === 0) return out;
  const r = await sql<{ point_id: string; ts: Date; kwh: string }>`
    SELECT ie.point_id, ie.ts, ie.ap_imp_total::text AS kwh FROM unnest(${windows.map((w) => w.pointId)}::text[], ${windows.map((w) => w.from)}::timestamptz[],
      ${windows.map((w) => w.to)}::timestamptz[]) AS w(point_id, from_ts, to_ts)
    JOIN interval_energy ie ON ie.point_id = w.point_id AND ie.ts > w.from_ts AND ie.ts <= w.to_ts AND ie.ap_imp_total IS NOT NULL
    ORDER BY ie.point_id, ie.ts`.execute(db);
  for (const row of r.rows) {
    const list = out.get(row.point_id) ?? [];
    out.set(row.point_id, list);
    list.push({ end: row.ts, kwh: parseDecimal(row.kwh) });
  }
  return out;
}

