/**
 * `meterflow export`: derived figures and alarms as rows (CSV or JSON), registers named by
 * their codes (`ap_imp.total`), energies as exact decimals, times in ISO 8601 UTC.
 */
import { sql } from 'kysely';
import { REGISTER_CODES, REGISTER_COLUMNS, type Database } from '../../schema/index.ts';

/** What can be exported. */
export const EXPORT_KINDS = ['daily', 'monthly', 'intervals', 'losses', 'alarms'] as const;
/** What can be exported. */
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** Selection of an export. */
export interface ExportQuery {
  kind: ExportKind;
  from: Date;
  to: Date;
  point?: string;
  object?: string;
}

type Row = Record<string, string | number | null>;

const energy = sql.join(REGISTER_COLUMNS.map((c, i) => sql`${sql.ref(c)}::text AS ${sql.raw(`"${REGISTER_CODES[i]!}"`)}`));
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : (v as string | number | null));

/** Rows of an export, ordered by object and time. */
export async function exportRows(handle: Database, q: ExportQuery): Promise<Row[]> {
  const point = q.point ? sql`AND point_id = ${q.point}` : sql``;
  const object = q.object ? sql`AND object_id = ${q.object}` : sql``;
  let query;
  switch (q.kind) {
    case 'daily':
      query = sql`SELECT point_id AS point, to_char(day, 'YYYY-MM-DD') AS day, period_start, period_end, ${energy}, quality, method FROM daily_energy
        WHERE day >= ${q.from}::date AND day <= ${q.to}::date ${point} ORDER BY point_id, day`;
      break;
    case 'monthly':
      query = sql`SELECT point_id AS point, to_char(month, 'YYYY-MM') AS month, period_start, period_end, ${energy}, quality, method FROM monthly_energy
        WHERE month >= date_trunc('month', ${q.from}::date) AND month <= ${q.to}::date ${point} ORDER BY point_id, month`;
      break;
    case 'intervals':
      query = sql`SELECT point_id AS point, ts AS interval_end, ${energy}, quality, method FROM interval_energy
        WHERE ts > ${q.from} AND ts <= ${q.to} ${point} ORDER BY point_id, ts`;
      break;
    case 'losses':
      query = sql`SELECT object_id AS object, period_kind, period_start, period_end, input::text, output::text, loss::text, loss_rate::text, quality FROM object_result
        WHERE period_start >= ${q.from} AND period_start < ${q.to} ${object} ORDER BY object_id, period_kind, period_start`;
      break;
    case 'alarms':
      query = sql`SELECT id::text, rule, object_kind, object_id, period_start, period_end, observed::text, limit_value::text AS limit, severity, state, message, raised_at, cleared_at, acknowledged_by
        FROM alarm WHERE period_end > ${q.from} AND period_start < ${q.to} ${q.object ? sql`AND object_id = ${q.object}` : q.point ? sql`AND object_id = ${q.point}` : sql``} ORDER BY raised_at, id`;
      break;
  }
  const r = await query.execute(handle.db);
  return (r.rows as Record<string, unknown>[]).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, iso(v)])) as Row);
}

/** Rows as CSV with a header (fields quoted where needed). */
export function toCsv(rows: readonly Row[], columns?: readonly string[]): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  const cell = (v: string | number | null) => {
    if (v === null) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c] ?? null)).join(','))].join('\n') + '\n';
}
