/**
 * `meterflow export`: derived figures and alarms as rows (CSV or JSON), registers named by
 * their codes (`ap_imp.total`), energies as exact decimals, times in ISO 8601 UTC.
 */
import { sql, type RawBuilder } from 'kysely';
import { DateTime } from 'luxon';
import { REGISTER_CODES, REGISTER_COLUMNS, type Database } from '../../schema/index.ts';
import { SEVERITIES, type RuleName, type Severity } from '../alarms.ts';
import { loadScheme } from './load.ts';

/** What can be exported. */
export const EXPORT_KINDS = ['daily', 'monthly', 'intervals', 'losses', 'alarms'] as const;
/** What can be exported. */
export type ExportKind = (typeof EXPORT_KINDS)[number];

/**
 * One end of an export range: an instant, or a wall-clock time without offset (`2026-10-01`,
 * `2026-10-01T06:00`) read in the zone of each point or object exported, so that a date is the
 * start of that local day everywhere.
 */
export type TimeBound = Date | { local: string };

/** The instant of a bound at a place in `zone`. */
export function boundInstant(b: TimeBound, zone: string): Date {
  return b instanceof Date ? b : DateTime.fromISO(b.local, { zone }).toJSDate();
}

/**
 * Selection of an export from `from` up to, not including, `to`: days and months (of points and
 * of objects) by their label where the bound is a date, else by the start of their period, as
 * are object days and intervals; intervals and alarms by overlap with the range.
 */
export interface ExportQuery {
  kind: ExportKind;
  from: TimeBound;
  to: TimeBound;
  point?: string;
  object?: string;
  /** Alarms: only those not cleared. */
  openOnly?: boolean;
}

type Row = Record<string, string | number | null>;

const figureColumns = (first: string[]) => [...first, ...REGISTER_CODES, 'quality', 'method'];

/** The columns of each kind, in order (a CSV of no rows still has its header). */
export const EXPORT_COLUMNS: Record<ExportKind, readonly string[]> = {
  daily: figureColumns(['point', 'day', 'period_start', 'period_end']),
  monthly: figureColumns(['point', 'month', 'period_start', 'period_end']),
  intervals: figureColumns(['point', 'interval_end']),
  losses: ['object', 'period_kind', 'period_start', 'period_end', 'input', 'output', 'loss', 'loss_rate', 'quality'],
  alarms: ['id', 'rule', 'object_kind', 'object_id', 'period_start', 'period_end', 'observed', 'limit', 'severity', 'state', 'message', 'raised_at', 'cleared_at', 'acknowledged_by'],
};

const energy = sql.join(REGISTER_COLUMNS.map((c, i) => sql`${sql.ref(c)}::text AS ${sql.raw(`"${REGISTER_CODES[i]!}"`)}`));
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : (v as string | number | null));
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** The bound as an instant, a local time taken in `zone` (an SQL expression). */
const at = (b: TimeBound, zone: RawBuilder<unknown>) => (b instanceof Date ? sql`${b}::timestamptz` : sql`(${b.local}::timestamp AT TIME ZONE ${zone})`);

// The zone an object's dates are read in: a point's own, a terminal's substation's, a statistical
// object's first member's (as the engine counts its days).
const pointZone = sql`p.time_zone`;
const objectZone = (kind: RawBuilder<unknown>, id: RawBuilder<unknown>) => sql`COALESCE(
  CASE ${kind} WHEN 'point' THEN (SELECT time_zone FROM metering_point WHERE id = ${id})
    WHEN 'terminal' THEN (SELECT s.time_zone FROM terminal t JOIN substation s ON s.id = t.substation_id WHERE t.id = ${id})
    ELSE (SELECT mp.time_zone FROM stat_member sm JOIN metering_point mp ON mp.id = sm.point_id WHERE sm.object_id = ${id} ORDER BY sm.point_id LIMIT 1) END,
  'UTC')`;

/**
 * The range condition of a calendar figure: a date bound compares with the label (a day, or the
 * month a date falls in), a time with the start of the figure's period.
 */
function calendarRange(q: ExportQuery, label: 'day' | 'month'): RawBuilder<unknown> {
  const lower = !(q.from instanceof Date) && DATE_ONLY.test(q.from.local)
    ? (label === 'day' ? sql`day >= ${q.from.local}::date` : sql`month >= date_trunc('month', ${q.from.local}::date)`)
    : sql`period_start >= ${at(q.from, pointZone)}`;
  const upper = !(q.to instanceof Date) && DATE_ONLY.test(q.to.local) ? sql`${sql.ref(label)} < ${q.to.local}::date` : sql`period_start < ${at(q.to, pointZone)}`;
  return sql`${lower} AND ${upper}`;
}

/** Rows of an export, ordered by object and time. */
export async function exportRows(handle: Database, q: ExportQuery): Promise<Row[]> {
  const point = q.point ? sql`AND e.point_id = ${q.point}` : sql``;
  const object = q.object ?? q.point;
  let query;
  switch (q.kind) {
    case 'daily':
      query = sql`SELECT point_id AS point, to_char(day, 'YYYY-MM-DD') AS day, period_start, period_end, ${energy}, quality, method FROM daily_energy e JOIN metering_point p ON p.id = e.point_id
        WHERE ${calendarRange(q, 'day')} ${point} ORDER BY point_id, day`;
      break;
    case 'monthly':
      query = sql`SELECT point_id AS point, to_char(month, 'YYYY-MM') AS month, period_start, period_end, ${energy}, quality, method FROM monthly_energy e JOIN metering_point p ON p.id = e.point_id
        WHERE ${calendarRange(q, 'month')} ${point} ORDER BY point_id, month`;
      break;
    case 'intervals':
      // An interval (ts − length, ts] overlaps the range; written so the (point, ts) index bounds it.
      query = sql`SELECT point_id AS point, ts AS interval_end, ${energy}, quality, method FROM interval_energy e JOIN metering_point p ON p.id = e.point_id
        WHERE e.ts > ${at(q.from, pointZone)} AND e.ts < ${at(q.to, pointZone)} + make_interval(secs => p.interval_seconds) ${point}
        ORDER BY point_id, ts`;
      break;
    case 'losses': {
      const zone = objectZone(sql`'object'`, sql.ref('object_result.object_id'));
      // A month result is picked by its label where a bound is a date, as monthly energy is.
      const shift = (await loadScheme(handle.db)).monthLabel === 'end' ? sql`interval '1 month'` : sql`interval '0 days'`;
      const label = sql`(date_trunc('month', (period_start AT TIME ZONE ${zone})::date) + ${shift})::date`;
      const bound = (b: TimeBound, side: 'lower' | 'upper') => {
        const byStart = side === 'lower' ? sql`period_start >= ${at(b, zone)}` : sql`period_start < ${at(b, zone)}`;
        if (b instanceof Date || !DATE_ONLY.test(b.local)) return byStart;
        const byLabel = side === 'lower' ? sql`${label} >= date_trunc('month', ${b.local}::date)` : sql`${label} < ${b.local}::date`;
        return sql`(CASE WHEN period_kind = 'month' THEN ${byLabel} ELSE ${byStart} END)`;
      };
      query = sql`SELECT object_id AS object, period_kind, period_start, period_end, input::text, output::text, loss::text, loss_rate::text, quality FROM object_result
        WHERE ${bound(q.from, 'lower')} AND ${bound(q.to, 'upper')} ${object ? sql`AND object_id = ${object}` : sql``}
        ORDER BY object_id, period_kind, period_start`;
      break;
    }
    case 'alarms': {
      const zone = objectZone(sql.ref('alarm.object_kind'), sql.ref('alarm.object_id'));
      query = sql`SELECT id::text, rule, object_kind, object_id, period_start, period_end, observed::text, limit_value::text AS limit, severity, state, message, raised_at, cleared_at, acknowledged_by
        FROM alarm WHERE period_end > ${at(q.from, zone)} AND period_start < ${at(q.to, zone)}
          ${q.object ? sql`AND object_id = ${q.object}` : q.point ? sql`AND object_kind = 'point' AND object_id = ${q.point}` : sql``}
          ${q.openOnly ? sql`AND state <> 'cleared'` : sql``} ORDER BY raised_at, alarm.id`; // the column, not the text alias
      break;
    }
  }
  const r = await query.execute(handle.db);
  return (r.rows as Record<string, unknown>[]).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, iso(v)])) as Row);
}

/** Which alarms `meterflow alarms` and the engine's HTTP endpoint list. */
export interface AlarmFilter {
  /** Include cleared alarms (default: open and acknowledged only). */
  all?: boolean;
  /** A point, terminal or statistical object. */
  object?: string;
  rule?: RuleName;
  /** This severity or worse. */
  severity?: Severity;
}

/** Alarms as export rows (oldest raised first), filtered. */
export async function listAlarms(handle: Database, f: AlarmFilter = {}): Promise<Row[]> {
  const least = SEVERITIES.indexOf(f.severity ?? 'info');
  const rows = await exportRows(handle, { kind: 'alarms', from: new Date(0), to: new Date(8.64e15), openOnly: !f.all, ...(f.object !== undefined ? { object: f.object } : {}) });
  return rows.filter((r) => (f.rule === undefined || r.rule === f.rule) && SEVERITIES.indexOf(r.severity as Severity) >= least);
}

/** Rows as CSV with a header (fields quoted where needed). */
export function toCsv(rows: readonly Row[], columns?: readonly string[]): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  const cell = (v: string | number | null) => {
    if (v === null) return '';
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c] ?? null)).join(','))].join('\n') + '\n';
}
