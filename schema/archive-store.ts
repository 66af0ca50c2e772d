/**
 * Storing an archive: all or nothing in one transaction, upserting every entity by its id so a
 * re-import changes nothing, with an audit row and dirty ranges for the calculation engine.
 */
import { sql, type Transaction } from 'kysely';
import { lockedMonth, MonthLockedError } from './locks.ts';
import type { Database } from './database.ts';
import type { Archive, KnownIds, Scheme } from './archive.ts';
import type { Tables } from './tables.ts';

/** Ids already stored, for reference checks of a partial archive. */
export async function knownIds(handle: Database): Promise<KnownIds> {
  const { db } = handle;
  const ids = async (table: 'substation' | 'terminal' | 'meter' | 'metering_point' | 'tariff') =>
    new Set((await db.selectFrom(table).select('id').execute()).map((r) => r.id));
  return { substation: await ids('substation'), terminal: await ids('terminal'), meter: await ids('meter'), point: await ids('metering_point'), tariff: await ids('tariff') };
}

/** Counts of what an archive import stored, by section. */
export type ArchiveCounts = Record<string, number>;

/** A stored point's CT or PT ratio that an archive import replaced for the point's whole history. */
export interface RatioEdit {
  point: string;
  field: 'ctRatio' | 'ptRatio';
  from: string;
  to: string;
}

/** What an archive import stored, and the ratios it replaced (not dated changes: those are `ratioChanges`). */
export interface ArchiveImport {
  counts: ArchiveCounts;
  ratioEdits: RatioEdit[];
}

const DAY = 86_400_000;

/** Store a validated archive in one transaction; returns counts per section and the base ratios it replaced. */
export async function storeArchive(handle: Database, a: Archive, actor = 'import', file?: string): Promise<ArchiveImport> {
  // New history events inside a settled month would change its figures: refuse the archive
  // whole. Events already stored (a re-import) change nothing and pass.
  const stored = async (table: 'installation' | 'ratio_change' | 'bypass_event', column: string, point: string, at: Date) =>
    !!(await handle.db.selectFrom(table).select('id').where('point_id', '=', point).where(column as never, '=', at as never).executeTakeFirst());
  const events: [string, Date, () => Promise<boolean>][] = [
    ...a.installations.map((x): [string, Date, () => Promise<boolean>] => [x.point, x.installedAt, () => stored('installation', 'installed_at', x.point, x.installedAt)]),
    ...a.ratioChanges.map((x): [string, Date, () => Promise<boolean>] => [x.point, x.effectiveAt, () => stored('ratio_change', 'effective_at', x.point, x.effectiveAt)]),
    ...a.bypasses.map((x): [string, Date, () => Promise<boolean>] => [x.point, x.startedAt, () => stored('bypass_event', 'started_at', x.point, x.startedAt)]),
  ];
  for (const [point, at, isStored] of events) {
    const lock = await lockedMonth(handle, [point], at, at);
    if (lock && !(await isStored())) throw new MonthLockedError(lock, null, `: the archive changes point ${point}'s history at ${at.toISOString()}`);
  }
  return handle.db.transaction().execute(async (tx) => {
    // A new scheme queues every point's history; what else changed is in it.
    const queuedAll = a.scheme ? await storeScheme(tx, a.scheme) : false;
    const up = <T extends keyof Tables>(table: T, rows: readonly Record<string, unknown>[], key: string[] = ['id']) =>
      rows.length === 0
        ? Promise.resolve()
        : tx
            .insertInto(table)
            .values(rows as never)
            .onConflict((oc) => oc.columns(key as never).doUpdateSet((eb) => Object.fromEntries(Object.keys(rows[0]!).filter((k) => !key.includes(k)).map((k) => [k, eb.ref(`excluded.${k}` as never)])) as never))
            .execute();
    const pointsBefore = await pointPrints(tx, a.points.map((p) => p.id));
    // Objects of the file and those referring to its buses and lines (their voltage may change).
    const objectIds = [...new Set([...a.objects.map((o) => o.id), ...(await tx.selectFrom('stat_object').select('id').where('ref_id', 'in', ['', ...a.buses.map((b) => b.id), ...a.lines.map((l) => l.id)]).execute()).map((o) => o.id)])];
    const objectsBefore = await objectPrints(tx, objectIds);
    const historyBefore = await historyPrints(tx, a);
    await up('substation', a.substations.map((s) => ({ id: s.id, name: s.name, time_zone: s.timeZone })));
    await up('bus', a.buses.map((b) => ({ id: b.id, substation_id: b.substation, name: b.name, voltage_kv: b.voltageKv })));
    await up('line', a.lines.map((b) => ({ id: b.id, substation_id: b.substation, name: b.name, voltage_kv: b.voltageKv })));
    await up('transformer', a.transformers.map((b) => ({ id: b.id, substation_id: b.substation, name: b.name, rated_kva: b.ratedKva })));
    await up('terminal', a.terminals.map((t) => ({ id: t.id, substation_id: t.substation, name: t.name, transport: t.transport, address: t.address, profile: t.profile, memory_days: t.memoryDays })));
    await up('meter', a.meters.map((m) => ({ id: m.id, serial: m.serial, profile: m.profile, terminal_id: m.terminal ?? null, unit_id: m.unitId ?? null, capacity: m.capacity, primary_values: m.primaryValues })));
    const ratioEdits = await replacedRatios(tx, a);
    await up('metering_point', a.points.map((p) => ({
      id: p.id, substation_id: p.substation, name: p.name, ct_ratio: p.ctRatio, pt_ratio: p.ptRatio, time_zone: p.timeZone,
      interval_seconds: p.intervalMinutes * 60, directions: p.directions, import_only: p.importOnly,
      max_interval_energy: p.maxIntervalEnergy ?? null, daily_min: p.dailyMin ?? null, daily_max: p.dailyMax ?? null, monthly_min: p.monthlyMin ?? null, monthly_max: p.monthlyMax ?? null, voltage_kv: p.voltageKv ?? null,
      // The file's check limits are its points' defaults: stored per point, so a later file
      // that defines other points leaves these as they are.
      checks: JSON.stringify({ ...a.checks, ...p.checks }),
    })));
    await up('installation', a.installations.map((x) => ({
      point_id: x.point, meter_id: x.meter, installed_at: x.installedAt, removed_at: x.removedAt ?? null,
      initial_readings: x.initial, final_readings: x.final ?? null,
    })), ['point_id', 'installed_at']);
    await up('ratio_change', a.ratioChanges.map((x) => ({ point_id: x.point, effective_at: x.effectiveAt, ct_ratio: x.ctRatio, pt_ratio: x.ptRatio, readings: x.reading ?? null })), ['point_id', 'effective_at']);
    await up('bypass_event', a.bypasses.map((x) => ({ point_id: x.point, bypass_point_id: x.via, started_at: x.startedAt, ended_at: x.endedAt ?? null })), ['point_id', 'started_at']);
    await up('stat_object', a.objects.map((o) => ({ id: o.id, kind: o.kind, ref_id: o.ref ?? null, name: o.name, voltage_kv: o.voltageKv ?? null, limits: JSON.stringify(o.limits) })));
    for (const o of a.objects) {
      await tx.deleteFrom('stat_member').where('object_id', '=', o.id).execute();
      await tx.insertInto('stat_member').values(o.members.map((m) => ({ object_id: o.id, point_id: m.point, direction: m.direction, role: m.role, sign: m.sign }))).execute();
    }
    await up('tariff', a.tariffs.map(({ id, name, effectiveFrom, effectiveTo, ...spec }) => ({ id, name, effective_from: effectiveFrom, effective_to: effectiveTo ?? null, spec: JSON.stringify(spec) })));
    await up('account', a.accounts.map((x) => ({ id: x.id, name: x.name, tariff_id: x.tariff })));
    for (const acc of a.accounts) {
      await tx.deleteFrom('account_member').where('account_id', '=', acc.id).execute();
      await tx.insertInto('account_member').values(acc.members.map((m) => ({ account_id: acc.id, point_id: m.point, sign: m.sign }))).execute();
    }
    await markArchiveDirty(tx, a, historyBefore, await historyPrints(tx, a));
    if (!queuedAll) await markChangedDirty(tx, pointsBefore, await pointPrints(tx, a.points.map((p) => p.id)), objectsBefore, await objectPrints(tx, objectIds));
    const counts: ArchiveCounts = Object.fromEntries(Object.entries(a).filter(([, v]) => Array.isArray(v)).map(([k, v]) => [k, (v as unknown[]).length]));
    await tx.insertInto('audit_log').values({ actor, action: 'import-archive', entity: 'archive', entity_id: file ?? null, reason: null, detail: JSON.stringify({ ...counts, ...(ratioEdits.length > 0 ? { ratioEdits } : {}) }) }).execute();
    return { counts, ratioEdits };
  });
}

/**
 * The stored points whose base CT or PT ratio the archive replaces. That rewrites every figure
 * of the point (a correction of the archive); a transformer changed on a date is a ratio change.
 */
async function replacedRatios(tx: Transaction<Tables>, a: Archive): Promise<RatioEdit[]> {
  const stored = new Map((await tx.selectFrom('metering_point').select(['id', 'ct_ratio', 'pt_ratio']).where('id', 'in', ['', ...a.points.map((p) => p.id)]).execute()).map((r) => [r.id, r]));
  return a.points.flatMap((p) => {
    const old = stored.get(p.id);
    if (!old) return [];
    return ([['ctRatio', String(old.ct_ratio), p.ctRatio], ['ptRatio', String(old.pt_ratio), p.ptRatio]] as const)
      .filter(([, from, to]) => Number(from) !== Number(to))
      .map(([field, from, to]): RatioEdit => ({ point: p.id, field, from, to: String(to) }));
  });
}

/** What of a point its figures depend on (ratios, zone, interval, directions, limits, checks), by id. */
async function pointPrints(tx: Transaction<Tables>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const r = await sql<{ id: string; print: string }>`SELECT id, md5(row(ct_ratio, pt_ratio, time_zone, interval_seconds, directions, import_only,
    max_interval_energy, daily_min, daily_max, monthly_min, monthly_max, voltage_kv, checks)::text) AS print
    FROM metering_point WHERE id = ANY(${[...ids]}::text[])`.execute(tx);
  return new Map(r.rows.map((x) => [x.id, x.print]));
}

/**
 * The voltage of the statistical object aliased `o`, with {@link OBJECT_VOLTAGE_JOINS} in its
 * FROM: its own, else that of the bus or line it refers to.
 */
export const OBJECT_VOLTAGE = sql`COALESCE(o.voltage_kv, b.voltage_kv, l.voltage_kv)`;
/** The joins {@link OBJECT_VOLTAGE} reads, after `stat_object o`. */
export const OBJECT_VOLTAGE_JOINS = sql`LEFT JOIN bus b ON o.kind = 'bus' AND b.id = o.ref_id LEFT JOIN line l ON o.kind = 'line' AND l.id = o.ref_id`;

/** What of a statistical object its results and alarms depend on (kind, voltage, limits, members), by id. */
async function objectPrints(tx: Transaction<Tables>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  // The voltage an object takes from its bus or line counts too.
  const r = await sql<{ id: string; print: string }>`SELECT o.id, md5(row(o.kind, o.ref_id, ${OBJECT_VOLTAGE}, o.limits,
    (SELECT string_agg(m.point_id || '/' || m.direction || '/' || m.role || '/' || m.sign, ',' ORDER BY m.point_id, m.direction, m.role)
     FROM stat_member m WHERE m.object_id = o.id))::text) AS print
    FROM stat_object o ${OBJECT_VOLTAGE_JOINS}
    WHERE o.id = ANY(${[...ids]}::text[])`.execute(tx);
  return new Map(r.rows.map((x) => [x.id, x.print]));
}

/**
 * A stored point whose ratios, limits or checks the archive changed, or an object whose members
 * or limits it changed, is recomputed over every reading of the point (of each member): its
 * figures and alarms were computed under the old values (DESIGN.md §5: any archive change marks
 * the affected ranges dirty). A re-import that changes nothing queues nothing.
 */
async function markChangedDirty(tx: Transaction<Tables>, pointsBefore: Map<string, string>, pointsAfter: Map<string, string>, objectsBefore: Map<string, string>, objectsAfter: Map<string, string>): Promise<void> {
  // A new object over points already read needs its results for their history too.
  const changed = (before: Map<string, string>, after: Map<string, string>) => [...after].filter(([id, print]) => before.get(id) !== print).map(([id]) => id);
  const objects = changed(objectsBefore, objectsAfter);
  const members = objects.length === 0 ? [] : (await tx.selectFrom('stat_member').select('point_id').where('object_id', 'in', objects).execute()).map((m) => m.point_id);
  const points = [...new Set([...changed(pointsBefore, pointsAfter), ...members])];
  if (points.length > 0) await queueHistory(tx, points, 'archive-change');
}

/** Queue every stored reading of `points` (all points when null) for recompute, one task per point. */
async function queueHistory(tx: Transaction<Tables>, points: readonly string[] | null, reason: string): Promise<void> {
  await sql`INSERT INTO calc_task (point_id, from_ts, to_ts, reason)
    SELECT point_id, min(ts), max(ts), ${reason} FROM reading ${points ? sql`WHERE point_id = ANY(${[...points]}::text[])` : sql``} GROUP BY point_id`.execute(tx);
}

/**
 * What of each installation (with its meter's capacity), ratio change and bypass of the file its
 * figures depend on, keyed `table|point|ms` of the event's time; absent when not stored.
 */
async function historyPrints(tx: Transaction<Tables>, a: Archive): Promise<Map<string, string>> {
  const points = [...new Set([...a.installations, ...a.ratioChanges, ...a.bypasses].map((x) => x.point))];
  if (points.length === 0) return new Map();
  const r = await sql<{ key: string; print: string }>`
    SELECT 'installation|' || i.point_id || '|' || (extract(epoch FROM i.installed_at) * 1000)::bigint AS key,
      md5(row(i.meter_id, i.removed_at, i.initial_readings, i.final_readings, m.capacity, m.primary_values)::text) AS print
      FROM installation i JOIN meter m ON m.id = i.meter_id WHERE i.point_id = ANY(${points}::text[])
    UNION ALL SELECT 'ratio-change|' || point_id || '|' || (extract(epoch FROM effective_at) * 1000)::bigint, md5(row(ct_ratio, pt_ratio, readings)::text)
      FROM ratio_change WHERE point_id = ANY(${points}::text[])
    UNION ALL SELECT 'bypass|' || point_id || '|' || (extract(epoch FROM started_at) * 1000)::bigint, md5(row(bypass_point_id, ended_at)::text)
      FROM bypass_event WHERE point_id = ANY(${points}::text[])`.execute(tx);
  return new Map(r.rows.map((x) => [x.key, x.print]));
}

/**
 * Replacements, ratio changes and bypasses change energy around their times: recompute there,
 * for each one new or changed (`before` and `after` are their {@link historyPrints}).
 */
async function markArchiveDirty(tx: Transaction<Tables>, a: Archive, before: Map<string, string>, after: Map<string, string>): Promise<void> {
  const ranges: { point_id: string; from_ts: Date; to_ts: Date; reason: string }[] = [];
  const changed = (reason: string, point: string, at: Date) => before.get(`${reason}|${point}|${at.getTime()}`) !== after.get(`${reason}|${point}|${at.getTime()}`);
  const span = (point: string, from: Date, to: Date | undefined, reason: string) =>
    ranges.push({ point_id: point, from_ts: new Date(from.getTime() - DAY), to_ts: new Date((to ?? from).getTime() + DAY), reason });
  for (const x of a.installations) if (changed('installation', x.point, x.installedAt)) span(x.point, x.installedAt, x.removedAt, 'installation');
  // A ratio change alters every figure after it, up to now.
  for (const x of a.ratioChanges) if (changed('ratio-change', x.point, x.effectiveAt)) span(x.point, x.effectiveAt, new Date(Math.max(Date.now(), x.effectiveAt.getTime())), 'ratio-change');
  for (const x of a.bypasses) {
    if (!changed('bypass', x.point, x.startedAt)) continue;
    span(x.point, x.startedAt, x.endedAt, 'bypass');
    span(x.via, x.startedAt, x.endedAt, 'bypass');
  }
  if (ranges.length > 0) await tx.insertInto('calc_task').values(ranges).execute();
}

/**
 * A new statistical scheme moves every day and month boundary: the figures of the old one are
 * dropped, their day and month alarms cleared, and every point's readings recomputed. Settled
 * months were billed on the old boundaries, so while one is locked the scheme cannot change.
 * Returns whether every point's history was queued.
 */
async function storeScheme(tx: Transaction<Tables>, scheme: Scheme): Promise<boolean> {
  const value = JSON.stringify(scheme);
  const stored = await tx.selectFrom('meterflow_meta').select('value').where('key', '=', 'scheme').executeTakeFirst();
  if (stored?.value === value) return false;
  // Waits for figures being written under the stored scheme; a batch computed under it that
  // writes after this commits refuses to (the engine's holdScheme), so none outlives the change.
  await sql`SELECT pg_advisory_xact_lock(${sql.lit(SCHEME_LOCK)})`.execute(tx);
  const lock = (await sql<{ month: string; point_id: string }>`SELECT to_char(month, 'YYYY-MM') AS month, point_id FROM month_lock ORDER BY month LIMIT 1`.execute(tx)).rows[0];
  if (lock) {
    throw new Error(`scheme: the statistical scheme cannot change while a month is settled (${lock.month} of point ${lock.point_id} is locked); reopen the settled months first (meterflow settle --month ${lock.month} --reopen --reason "…")`);
  }
  await tx.insertInto('meterflow_meta').values({ key: 'scheme', value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  if (!stored && value === JSON.stringify(DEFAULT_SCHEME_VALUE)) return false;
  await sql`DELETE FROM daily_energy; DELETE FROM monthly_energy; DELETE FROM object_result WHERE period_kind <> 'interval'`.execute(tx);
  // Alarms of the old days and months: no recomputation judges those periods again, so they would
  // stay open for good. The recomputation raises them anew where the new periods still break a rule.
  await sql`UPDATE alarm SET state = 'cleared', cleared_at = now(), updated_at = now()
    WHERE state <> 'cleared' AND rule IN ('energy-limit', 'interval-sum', 'bus-imbalance', 'transformer-loss', 'line-loss')`.execute(tx);
  await queueHistory(tx, null, 'scheme');
  return true;
}

/** Advisory lock ('mfsc') ordering a scheme change against figures written under a scheme. */
export const SCHEME_LOCK = 0x6d66_7363;

// What the engine uses when no scheme is stored: storing it first changes no figure.
const DEFAULT_SCHEME_VALUE: Scheme = { dayStartHour: 0, monthCloseDay: 1, monthCloseHour: 0, monthLabel: 'start' };
