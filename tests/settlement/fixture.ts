/**
 * Building a settlement scenario directly in the database: archive rows, tariffs, accounts,
 * and the engine's outputs (monthly, daily, interval energy, demand) as hand-computed figures.
 */
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { ensurePartitions, type Database } from '../../schema/index.ts';

/** Register figures by column name (`ap_imp_peak: '6000.00'`); unnamed registers stay NULL. */
export type Figures = Record<string, string>;

/** A scenario writer bound to one database. */
export function fixture(h: Database) {
  const db = h.db;
  return {
    async substation(id = 'S1', zone = 'UTC') {
      await sql`INSERT INTO substation (id, name, time_zone) VALUES (${id}, ${id}, ${zone}) ON CONFLICT DO NOTHING`.execute(db);
    },
    async point(id: string, opts: { zone?: string; ct?: string; pt?: string; intervalSeconds?: number } = {}) {
      await this.substation();
      await sql`INSERT INTO metering_point (id, substation_id, name, time_zone, ct_ratio, pt_ratio, interval_seconds)
        VALUES (${id}, 'S1', ${id}, ${opts.zone ?? 'UTC'}, ${opts.ct ?? '1'}, ${opts.pt ?? '1'}, ${opts.intervalSeconds ?? 900})`.execute(db);
    },
    async tariff(id: string, from: string, to: string | null, spec: Record<string, unknown>) {
      await sql`INSERT INTO tariff (id, name, effective_from, effective_to, spec) VALUES (${id}, ${id}, ${from}::date, ${to}::date, ${JSON.stringify(spec)}::jsonb)`.execute(db);
    },
    async account(id: string, tariff: string, members: [string, 1 | -1][]) {
      await sql`INSERT INTO account (id, name, tariff_id) VALUES (${id}, ${`Account ${id}`}, ${tariff})`.execute(db);
      for (const [p, sign] of members) await sql`INSERT INTO account_member (account_id, point_id, sign) VALUES (${id}, ${p}, ${sign})`.execute(db);
    },
    /** The engine's monthly figure of `point` for `month` (`YYYY-MM`, UTC calendar month). */
    async monthly(point: string, month: string, f: Figures, quality: 'actual' | 'estimated' | 'missing' = 'actual', zone = 'UTC') {
      const start = DateTime.fromISO(`${month}-01`, { zone });
      const cols = Object.keys(f);
      const colSql = sql.raw(cols.map((c) => `, ${c}`).join(''));
      const vals = cols.map((c) => sql`, ${f[c]}::numeric`);
      await sql`INSERT INTO monthly_energy (point_id, month, period_start, period_end, quality${colSql})
        VALUES (${point}, ${`${month}-01`}::date, ${start.toJSDate()}, ${start.plus({ months: 1 }).toJSDate()}, ${quality}${sql.join(vals, sql``)})
        ON CONFLICT (point_id, month) DO UPDATE SET quality = EXCLUDED.quality${sql.raw(cols.map((c) => `, ${c} = EXCLUDED.${c}`).join(''))}`.execute(db);
    },
    async daily(point: string, day: string, f: Figures) {
      const start = DateTime.fromISO(day, { zone: 'UTC' });
      const cols = Object.keys(f);
      await sql`INSERT INTO daily_energy (point_id, day, period_start, period_end, quality${sql.raw(cols.map((c) => `, ${c}`).join(''))})
        VALUES (${point}, ${day}::date, ${start.toJSDate()}, ${start.plus({ days: 1 }).toJSDate()}, 'actual'${sql.join(cols.map((c) => sql`, ${f[c]}::numeric`), sql``)})`.execute(db);
    },
    async interval(point: string, ts: string, apImpTotal: string) {
      await ensurePartitions(db, 'interval_energy', new Date(ts), new Date(ts));
      await sql`INSERT INTO interval_energy (point_id, ts, ap_imp_total, quality) VALUES (${point}, ${new Date(ts)}, ${apImpTotal}::numeric, 'actual')`.execute(db);
    },
    async demand(point: string, month: string, register: string, valueW: number, at: string) {
      await sql`INSERT INTO demand (point_id, month, register, value_w, occurred_at) VALUES (${point}, ${`${month}-01`}::date, ${register}, ${valueW}, ${new Date(at)})`.execute(db);
    },
  };
}

/** Lines of a statement as `[code, quantity, price, amount]` text, for readable assertions. */
export function lineTable(s: { lines: { code: string; quantity: unknown; price: unknown; amount: unknown }[] }, fmt: (d: never) => string): [string, string, string, string][] {
  return s.lines.map((l) => [l.code, fmt(l.quantity as never), fmt(l.price as never), fmt(l.amount as never)]);
}
