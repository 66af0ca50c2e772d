/**
 * Loading what the pure engine computes on: the archive of the points (settings, meter
 * epochs, bypasses, manual energy), their raw readings as columns, and the statistical
 * objects. The only place the engine reads tables.
 */
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import { checkLimitsSchema, DEFAULT_REGISTER_CAPACITY, OBJECT_VOLTAGE, OBJECT_VOLTAGE_JOINS, REGISTER_COLUMNS, REGISTER_COUNT, SCHEME_LOCK, type Database, type RegisterCode } from '../../schema/index.ts';
import { meterEpochs, type Installation, type RatioPeriod } from '../epochs.ts';
import type { TransformerRatios } from '../multiplier.ts';
import { intervalMs, type PointConfig, type PointData } from '../point.ts';
import type { BypassEvent } from '../bypass.ts';
import { adjustmentEnd, type Adjustment } from '../adjustments.ts';
import type { StatObject } from '../objects.ts';
import type { EnergyLimit } from '../rules/energy-limit.ts';
import { DEFAULT_INTERVAL_LIMITS } from '../rules/interval-limits.ts';
import { energyContext, type EnergyContext } from '../period.ts';
import { statisticalScheme, type StatisticalScheme } from '../scheme.ts';
import type { Direction } from '../../schema/index.ts';

/** A positive decimal ratio ("120", "0.5") as an exact fraction. */
function fraction(text: string): [number, number] {
  const [whole, frac = ''] = text.split('.');
  const den = 10 ** frac.length;
  return [Number(whole) * den + Number(frac || 0), den];
}

/** CT and PT ratios stored as decimals (e.g. 120 and 1100) as the engine's integer ratios. */
export function storedRatios(ct: string, pt: string): TransformerRatios {
  const [cp, cs] = fraction(ct);
  const [pp, ps] = fraction(pt);
  return { ctPrimary: cp, ctSecondary: cs, ptPrimary: pp, ptSecondary: ps };
}

const vector = (v: (string | null)[] | null | undefined): number[] | undefined =>
  v ? Array.from({ length: REGISTER_COUNT }, (_, i) => (v[i] === null || v[i] === undefined ? NaN : Number(v[i]))) : undefined;

/** Energy limits of a point's days and months. */
export interface PeriodLimits {
  day: readonly EnergyLimit[];
  month: readonly EnergyLimit[];
}

/** Stored lower/upper limits (hundredths of a kWh) as limits of active import, none when neither is set. */
function activeImportLimits(min: string | null, max: string | null): EnergyLimit[] {
  if (min === null && max === null) return [];
  return [{ register: 'ap_imp.total', ...(min !== null ? { lower: Number(min) / 100 } : {}), ...(max !== null ? { upper: Number(max) / 100 } : {}) }];
}

/** Archive of points: configs and epochs (no readings). */
export interface PointArchive {
  config: PointConfig;
  /** Energy limits (kWh of active import) of its days and months, from the archive. */
  limits: PeriodLimits;
  installations: Installation[];
  ratios: RatioPeriod[];
}

/**
 * A point's check limits from its stored `checks`: the fields it gives over the defaults; none
 * when it gives none, so the kernel's default applies. Validated again here, as at import: a
 * value stored before a bound was tightened (or written by hand) is refused by name, not judged.
 */
function checkLimits(pointId: string, stored: unknown): Pick<PointConfig, 'intervalLimits' | 'missingData'> {
  const parsed = checkLimitsSchema.safeParse(stored);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`metering point ${pointId}: stored check limit ${issue.path.join('.') || '(checks)'} is invalid (${issue.message}); correct it in the archive file and import it again`);
  }
  const { missingAllowedIntervals, ...interval } = parsed.data;
  return {
    ...(Object.keys(interval).length > 0 ? { intervalLimits: { ...DEFAULT_INTERVAL_LIMITS, ...interval } } : {}),
    ...(missingAllowedIntervals !== undefined ? { missingData: { allowedIntervals: missingAllowedIntervals } } : {}),
  };
}

/** Load the archive of the given points (all when omitted). */
export async function loadPointArchive(handle: Database, ids?: readonly string[]): Promise<Map<string, PointArchive>> {
  const { db } = handle;
  let q = db.selectFrom('metering_point').selectAll();
  if (ids) q = q.where('id', 'in', ids.length > 0 ? [...ids] : ['']);
  const points = await q.execute();
  const pointIds = points.map((p) => p.id);
  if (pointIds.length === 0) return new Map();
  const inst = await db
    .selectFrom('installation as i')
    .innerJoin('meter as m', 'm.id', 'i.meter_id')
    .select(['i.point_id', 'i.meter_id', 'i.installed_at', 'i.removed_at', 'i.initial_readings', 'i.final_readings', 'm.capacity', 'm.primary_values'])
    .where('i.point_id', 'in', pointIds)
    .orderBy('i.installed_at')
    .execute();
  const changes = await db.selectFrom('ratio_change').selectAll().where('point_id', 'in', pointIds).orderBy('effective_at').execute();
  const out = new Map<string, PointArchive>();
  for (const p of points) {
    const mine = inst.filter((i) => i.point_id === p.id);
    const capacity = Number(mine[0]?.capacity ?? DEFAULT_REGISTER_CAPACITY);
    const m = storedRatios(p.ct_ratio, p.pt_ratio);
    const mult = (m.ctPrimary * m.ptPrimary) / (m.ctSecondary * m.ptSecondary);
    const config: PointConfig = {
      id: p.id,
      zone: p.time_zone,
      intervalMinutes: p.interval_seconds / 60,
      // Without a configured maximum, a wrap adding more than a tenth of the register's range in
      // one interval is implausible.
      maxIntervalEnergy: p.max_interval_energy !== null ? Number(p.max_interval_energy) : Math.floor((capacity / 10) * mult),
      participates: Object.fromEntries((['ap_imp', 'ap_exp', 'rp_imp', 'rp_exp'] as Direction[]).map((d) => [d, p.directions.includes(d)])),
      importOnly: p.import_only,
      ...checkLimits(p.id, p.checks),
    };
    out.set(p.id, {
      config,
      limits: { day: activeImportLimits(p.daily_min, p.daily_max), month: activeImportLimits(p.monthly_min, p.monthly_max) },
      // A point with readings but no installation history has had one meter all along.
      installations: mine.length === 0 ? [{ meterId: `${p.id}:meter`, from: -8.64e15, capacity }] : mine.map((i) => ({
        meterId: i.meter_id,
        from: i.installed_at.getTime(),
        ...(i.removed_at ? { to: i.removed_at.getTime() } : {}),
        ...(vector(i.initial_readings) ? { initial: vector(i.initial_readings)! } : {}),
        ...(vector(i.final_readings) ? { final: vector(i.final_readings)! } : {}),
        capacity: Number(i.capacity),
        primaryValues: i.primary_values,
      })),
      ratios: [
        { from: -8.64e15, ratios: m },
        ...changes.filter((c) => c.point_id === p.id).map((c) => ({ from: c.effective_at.getTime(), ratios: storedRatios(c.ct_ratio, c.pt_ratio), ...(c.readings ? { reading: vector(c.readings)! } : {}) })),
      ],
    });
  }
  return out;
}

/** Raw readings of points in [from, to] as the engine's columns. */
export async function loadSeries(handle: Database, ids: readonly string[], from: Date, to: Date): Promise<Map<string, { ts: Float64Array; values: Float64Array }>> {
  const cols = REGISTER_COLUMNS.map((c) => sql.ref(c));
  const r = await sql<{ point_id: string; ts: Date; v: (string | null)[] }>`
    SELECT point_id, ts, ARRAY[${sql.join(cols)}] AS v FROM reading
    WHERE point_id = ANY(${[...ids]}::text[]) AND ts >= ${from} AND ts <= ${to} ORDER BY point_id, ts`.execute(handle.db);
  const grouped = new Map<string, { ts: number[]; values: number[] }>();
  for (const row of r.rows) {
    let g = grouped.get(row.point_id);
    if (!g) grouped.set(row.point_id, (g = { ts: [], values: [] }));
    g.ts.push(row.ts.getTime());
    for (let i = 0; i < REGISTER_COUNT; i++) g.values.push(row.v[i] === null ? NaN : Number(row.v[i]));
  }
  const out = new Map<string, { ts: Float64Array; values: Float64Array }>();
  for (const id of ids) {
    const g = grouped.get(id);
    out.set(id, { ts: Float64Array.from(g?.ts ?? []), values: Float64Array.from(g?.values ?? []) });
  }
  return out;
}

/** Bypass events touching the points. */
export async function loadBypasses(handle: Database, ids: readonly string[]): Promise<BypassEvent[]> {
  const rows = await handle.db.selectFrom('bypass_event').selectAll()
    .where((eb) => eb.or([eb('point_id', 'in', [...ids, '']), eb('bypass_point_id', 'in', [...ids, ''])])).execute();
  return rows.map((b) => ({ id: b.id, feederId: b.point_id, bypassId: b.bypass_point_id, from: b.started_at.getTime(), to: b.ended_at?.getTime() ?? 8.64e15 }));
}

/**
 * Manual energy of the points of `archive` (each record covers its interval, day or month, in
 * the point's zone under `scheme`); stored in kWh → hundredths.
 */
export async function loadAdjustments(handle: Database, archive: ReadonlyMap<string, PointArchive>, scheme: StatisticalScheme): Promise<Adjustment[]> {
  const rows = await handle.db.selectFrom('adjustment').selectAll().where('point_id', 'in', [...archive.keys(), '']).execute();
  return rows.map((a) => {
    const { config } = archive.get(a.point_id)!;
    const kind = a.period_kind as 'interval' | 'day' | 'month';
    return {
      id: a.id, pointId: a.point_id, register: a.register as RegisterCode, kind: a.kind === 'set' ? 'set' : 'supplement',
      from: a.period_start.getTime(), to: adjustmentEnd(scheme, kind, a.period_start.getTime(), config.zone, intervalMs(config)),
      energy: Math.round(Number(a.value) * 100), who: a.actor, at: a.created_at.getTime(), why: a.reason,
    };
  });
}

/** Which of the points carry manual energy. */
export async function adjustedPoints(handle: Database, ids: readonly string[]): Promise<string[]> {
  const rows = await handle.db.selectFrom('adjustment').select('point_id').distinct().where('point_id', 'in', [...ids, '']).execute();
  return rows.map((r) => r.point_id);
}

/** Statistical objects with their members; `containing` limits to objects with one of these points. */
export async function loadObjects(handle: Database, containing?: readonly string[]): Promise<(StatObject & { limits: Record<string, number>; name: string })[]> {
  // Ordered so an object's first member, whose zone its days are counted in, is always the same.
  const members = await handle.db.selectFrom('stat_member').selectAll().orderBy('object_id').orderBy('point_id').orderBy('direction').orderBy('role').execute();
  // A bus or line object without a voltage of its own has the voltage of the bus or line it refers to.
  const objects = (await sql<{ id: string; kind: StatObject['kind']; name: string; limits: unknown; kv: string | null }>`
    SELECT o.id, o.kind, o.name, o.limits, ${OBJECT_VOLTAGE}::text AS kv FROM stat_object o ${OBJECT_VOLTAGE_JOINS}`.execute(handle.db)).rows;
  const wanted = containing ? new Set(members.filter((m) => containing.includes(m.point_id)).map((m) => m.object_id)) : undefined;
  return objects
    .filter((o) => !wanted || wanted.has(o.id))
    .map((o) => ({
      id: o.id, kind: o.kind, name: o.name, limits: o.limits as Record<string, number>,
      ...(o.kv !== null ? { voltageKv: Number(o.kv) } : {}),
      members: members.filter((m) => m.object_id === o.id).map((m) => ({ pointId: m.point_id, direction: m.direction as Direction, role: m.role, sign: m.sign < 0 ? -1 as const : 1 as const })),
    }));
}

/**
 * An energy context for `ids` with readings in [from, to] (callers add margins), manual energy
 * placed under `scheme`. It holds the other point of every bypass of `ids` too: a bypassed
 * feeder's energy is read on its bypass point's meter.
 */
export async function loadContext(handle: Database, ids: readonly string[], from: Date, to: Date, scheme: StatisticalScheme, known?: ReadonlyMap<string, PointArchive>): Promise<{ ctx: EnergyContext; archive: Map<string, PointArchive> }> {
  const bypasses = await loadBypasses(handle, ids);
  const wanted = [...new Set([...ids, ...bypasses.flatMap((b) => [b.feederId, b.bypassId])])];
  // Callers that already loaded points' archive pass it in (it may hold more), so it is read once.
  const archive = new Map(wanted.flatMap((id) => (known?.has(id) ? [[id, known.get(id)!] as const] : [])));
  const missing = wanted.filter((id) => !archive.has(id));
  if (missing.length > 0) for (const [id, a] of await loadPointArchive(handle, missing)) archive.set(id, a);
  const series = await loadSeries(handle, [...archive.keys()], from, to);
  const points: PointData[] = [...archive.values()].map((a) => ({
    config: a.config,
    epochs: meterEpochs(a.installations, a.ratios),
    series: series.get(a.config.id)!,
  }));
  return { ctx: energyContext(points, bypasses, await loadAdjustments(handle, archive, scheme)), archive };
}

/**
 * In a transaction writing figures computed under `scheme`: wait out a scheme change being
 * stored, then refuse when the stored scheme is no longer the one used — the batch's tasks go
 * back to the queue and are computed again under the new one.
 */
export async function holdScheme(client: Pick<pg.PoolClient, 'query'> | { query(text: string): Promise<{ rows: unknown[] }> }, scheme: StatisticalScheme): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock_shared(${SCHEME_LOCK})`);
  const r = (await client.query(`SELECT value FROM meterflow_meta WHERE key = 'scheme'`)) as { rows: { value: string }[] };
  const stored = storedScheme(r.rows[0]?.value);
  const same = (Object.keys(stored) as (keyof StatisticalScheme)[]).every((k) => stored[k] === scheme[k]);
  if (!same) throw new Error('the statistical scheme changed while these figures were computed under the old one: not written; the tasks go back to the queue and are computed under the new one');
}

/** The statistical scheme stored by the last archive that set one (else the default). */
export async function loadScheme(db: Kysely<any>): Promise<StatisticalScheme> {
  const row = await db.selectFrom('meterflow_meta').select('value').where('key', '=', 'scheme').executeTakeFirst();
  return storedScheme(row?.value as string | undefined);
}

/** The scheme of `meterflow_meta`'s `scheme` value (the default when there is none), validated. */
function storedScheme(value: string | undefined): StatisticalScheme {
  try {
    return statisticalScheme(value ? (JSON.parse(value) as Partial<StatisticalScheme>) : {});
  } catch (e) {
    throw new Error(`the stored statistical scheme is invalid (${(e as Error).message}); set it again with meterflow import archive (top-level scheme:)`);
  }
}
