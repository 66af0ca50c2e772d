/**
 * What a bulk recompute (bulk.ts) computes for each point — the same intervals, days and months
 * `recomputeRanges` computes for the same ranges — and which raw readings that needs; plus the
 * statistical-object results above them. Calendar periods are cached per zone, because every
 * point of a site shares them and luxon is slow enough to show at a million figures.
 */
import { sql } from 'kysely';
import { withTransaction, type Database } from '../../schema/index.ts';
import { dirtyWindow, touchedSpan, type DirtyRange } from '../tasks/index.ts';
import type { MeterEpoch } from '../epochs.ts';
import type { EnergyFigure } from '../figure.ts';
import { objectEnergy, type ObjectFigure, type StatObject } from '../objects.ts';
import { pointEnergy } from '../period.ts';
import { judgedReach } from '../kernel-carry.ts';
import { intervalMs, maxEstimateGapMs } from '../point.ts';
import { dayOf, dayPeriod, monthOfDay, monthPeriod, type Period, type StatisticalScheme } from '../scheme.ts';
import { holdScheme, loadContext, loadPointArchive, type PointArchive } from './load.ts';
import { daysBetween } from './recompute.ts';
import { saveObjects } from './save.ts';

const DAY = 86_400_000;

/** A labelled calendar period. */
export interface LabelledPeriod extends Period {
  label: string;
}

/** Cached calendar lookups under one scheme. */
export interface PeriodCalendar {
  scheme: StatisticalScheme;
  day(zone: string, date: string): Period;
  month(zone: string, month: string): Period;
  /** Local days touched by [from, to) in a zone, as `recomputeRanges` counts them. */
  daysBetween(zone: string, from: number, to: number): string[];
  /** The billing month (`YYYY-MM`) of a local day. */
  monthOf(date: string): string;
}

/** A calendar with caches. */
export function periodCalendar(scheme: StatisticalScheme): PeriodCalendar {
  const cache = new Map<string, Period>();
  const memo = (key: string, f: () => Period) => cache.get(key) ?? (cache.set(key, f()), cache.get(key)!);
  const dates = new Map<string, string>();
  const months = new Map<string, string>();
  return {
    scheme,
    day: (zone, date) => memo(`d|${zone}|${date}`, () => dayPeriod(scheme, zone, date)),
    month: (zone, month) => memo(`m|${zone}|${month}`, () => monthPeriod(scheme, zone, month)),
    // Dirty ranges of many points start and end at the same instants (one poll cycle).
    daysBetween: (zone, from, to) => daysBetween(scheme, zone, from, to, (t) => {
      const key = `${zone}|${t}`;
      return dates.get(key) ?? (dates.set(key, dayOf(scheme, zone, t)), dates.get(key)!);
    }),
    monthOf: (date) => months.get(date) ?? (months.set(date, monthOfDay(scheme, date)), months.get(date)!),
  };
}

/** One point's work: interval windows (ends in (from, to] every dt), days, months, readings to load. */
export interface PointPlan {
  archive: PointArchive;
  epochs: readonly MeterEpoch[];
  windows: { from: number; to: number; dt: number }[];
  days: LabelledPeriod[];
  months: LabelledPeriod[];
  /**
   * Months the ranges touch but cannot change: a month's figure reads only the readings within
   * the estimation gap of its two boundaries (`spanEnergy`), and no range reaches there. They are
   * left as stored (`keepStoredMonths`), or computed where no fresh row is stored.
   */
  quietMonths: LabelledPeriod[];
  /** Disjoint, sorted windows of raw readings that cover every instant the figures look at. */
  load: Period[];
}

/** Merge overlapping or touching periods. */
function merge<T extends Period>(ps: T[], make: (from: number, to: number, like: T) => T): T[] {
  const sorted = [...ps].sort((a, b) => a.from - b.from);
  const out: T[] = [];
  for (const p of sorted) {
    const last = out.at(-1);
    if (last && p.from <= last.to) out[out.length - 1] = make(last.from, Math.max(last.to, p.to), last);
    else out.push(p);
  }
  return out;
}

/** Interpolation may look this far either side of any instant a figure needs. */
const reachOf = (archive: PointArchive) => Math.max(maxEstimateGapMs(archive.config), intervalMs(archive.config));
/** Either side of a window, the readings that carry runs and neighbours in and out (kernel-carry.ts) too. */
const lookBackOf = (archive: PointArchive) => Math.max(reachOf(archive), judgedReach(archive.config) * intervalMs(archive.config));

/** Snapshots a load window holds on a point's grid of `dt`: one per interval and one more. */
export const windowSnapshots = (w: Period, dt: number): number => (w.to - w.from) / dt + 1;

/** The readings a plan's windows, days and months need. */
function planLoad(plan: Omit<PointPlan, 'load'>): Period[] {
  const gap = reachOf(plan.archive);
  const around = (t: number): Period => ({ from: t - gap, to: t + gap });
  return merge([
    ...plan.windows.map((w) => ({ from: w.from - lookBackOf(plan.archive), to: w.to + lookBackOf(plan.archive) })),
    ...[...plan.days, ...plan.months].flatMap((p) => [around(p.from), around(p.to)]),
  ], (from, to) => ({ from, to }));
}

/** The plan of one point for its ranges (the periods `recomputeRanges` writes for them, but quiet months). */
export function pointPlan(archive: PointArchive, epochs: readonly MeterEpoch[], ranges: readonly DirtyRange[], cal: PeriodCalendar): PointPlan {
  const zone = archive.config.zone;
  const dt = intervalMs(archive.config);
  const gap = reachOf(archive);
  const days = new Set<string>();
  const touched = new Set<string>();
  const windows: { from: number; to: number; dt: number }[] = [];
  for (const r of ranges) {
    const span = touchedSpan(r);
    for (const d of cal.daysBetween(zone, span.from, span.to)) {
      days.add(d);
      touched.add(cal.monthOf(d));
    }
    windows.push({ ...dirtyWindow(r, dt), dt });
  }
  const reaches = (t: number) => ranges.some((r) => r.from.getTime() <= t + gap && r.to.getTime() >= t - gap);
  const months: LabelledPeriod[] = [], quietMonths: LabelledPeriod[] = [];
  for (const label of touched) {
    const m = { label, ...cal.month(zone, label) };
    (reaches(m.from) || reaches(m.to) ? months : quietMonths).push(m);
  }
  const plan = { archive, epochs, windows: merge(windows, (from, to) => ({ from, to, dt })), days: [...days].map((label) => ({ label, ...cal.day(zone, label) })), months, quietMonths };
  return { ...plan, load: planLoad(plan) };
}

/**
 * Keep the quiet months that are stored for exactly their period, computed after the last
 * archive import (which can change a point's ratio, capacity or limits, or its objects, without
 * a dirty range) and, where the point belongs to statistical objects, with every such object's
 * month stored as fresh. The others join the plans' months, with the readings they need.
 */
export async function keepStoredMonths(handle: Database, plans: PointPlan[], objectsOf: ReadonlyMap<string, readonly string[]>): Promise<void> {
  const quiet = plans.flatMap((p) => p.quietMonths.map((m) => ({ id: p.archive.config.id, m })));
  if (quiet.length === 0) return;
  const since = sql`coalesce((SELECT max(at) FROM audit_log WHERE action = 'import-archive'), '-infinity')`;
  type Row = { id: string; period_start: Date; period_end: Date };
  const key = (id: string, from: number, to: number) => `${id}|${from}|${to}`;
  const months = await sql<Row>`
    SELECT s.point_id AS id, s.period_start, s.period_end
    FROM monthly_energy s JOIN unnest(${quiet.map((q) => q.id)}::text[], ${quiet.map((q) => `${q.m.label}-01`)}::date[]) AS w(point_id, month)
      ON s.point_id = w.point_id AND s.month = w.month
    WHERE s.computed_at > ${since}`.execute(handle.db);
  const objectIds = [...new Set(quiet.flatMap((q) => objectsOf.get(q.id) ?? []))];
  const objects = objectIds.length === 0 ? { rows: [] } : await sql<Row>`
    SELECT object_id AS id, period_start, period_end FROM object_result
    WHERE period_kind = 'month' AND object_id = ANY(${objectIds}::text[])
      AND period_start = ANY(${[...new Set(quiet.map((q) => q.m.from))].map((t) => new Date(t))}::timestamptz[]) AND computed_at > ${since}`.execute(handle.db);
  const fresh = new Set([...months.rows, ...objects.rows].map((r) => key(r.id, r.period_start.getTime(), r.period_end.getTime())));
  for (const p of plans) {
    const id = p.archive.config.id;
    const kept = (m: LabelledPeriod) => [id, ...(objectsOf.get(id) ?? [])].every((o) => fresh.has(key(o, m.from, m.to)));
    const unstored = p.quietMonths.filter((m) => !kept(m));
    if (unstored.length === 0) continue;
    p.quietMonths = p.quietMonths.filter(kept);
    p.months.push(...unstored);
    p.load = planLoad(p);
  }
}

/**
 * Object results for every object holding a recomputed point, over the union of its members'
 * days and months (as `recomputeRanges` does): member figures kept from the columnar pass where
 * they were computed for exactly that window, the rest through the figure path.
 */
export async function saveObjectResults(handle: Database, scheme: StatisticalScheme, objects: readonly StatObject[], plans: readonly PointPlan[],
  kept: ReadonlyMap<string, EnergyFigure>, ranges: readonly DirtyRange[], archive: ReadonlyMap<string, PointArchive>): Promise<{ kind: 'day' | 'month'; figure: ObjectFigure }[]> {
  if (objects.length === 0) return [];
  const cal = periodCalendar(scheme);
  const memberIds = [...new Set(objects.flatMap((o) => o.members.map((m) => m.pointId)))];
  const all = new Map([...archive, ...(await loadPointArchive(handle, memberIds.filter((id) => !archive.has(id))))]);
  const periods = new Map<string, { days: Set<string>; months: Set<string> }>();
  const planOf = new Map(plans.map((p) => [p.archive.config.id, p]));
  for (const id of new Set(ranges.map((r) => r.pointId))) {
    const a = all.get(id);
    if (!a) continue;
    const own = planOf.get(id);
    const days = new Set<string>(own?.days.map((d) => d.label));
    if (!own) {
      for (const r of ranges.filter((x) => x.pointId === id)) {
        const span = touchedSpan(r);
        for (const d of cal.daysBetween(a.config.zone, span.from, span.to)) days.add(d);
      }
    }
    // A columnar point's quiet months did not change, so neither did the objects' months above them.
    periods.set(id, { days, months: new Set(own ? own.months.map((m) => m.label) : [...days].map((d) => cal.monthOf(d))) });
  }
  const jobs: { kind: 'day' | 'month'; object: StatObject; w: Period }[] = [];
  for (const o of objects) {
    const zone = all.get(o.members[0]!.pointId)?.config.zone ?? 'UTC';
    const days = new Set<string>(), months = new Set<string>();
    for (const m of o.members) {
      for (const d of periods.get(m.pointId)?.days ?? []) days.add(d);
      for (const mo of periods.get(m.pointId)?.months ?? []) months.add(mo);
    }
    for (const d of days) jobs.push({ kind: 'day', object: o, w: cal.day(zone, d) });
    for (const m of months) jobs.push({ kind: 'month', object: o, w: cal.month(zone, m) });
  }
  // Member figures not kept from the columnar pass come from the figure path, in one context.
  const need = new Set(jobs.flatMap((j) => j.object.members.filter((m) => !kept.has(`${m.pointId}|${j.w.from}|${j.w.to}`)).map((m) => m.pointId)));
  let ctx: Awaited<ReturnType<typeof loadContext>>['ctx'] | undefined;
  if (need.size > 0) {
    let lo = Infinity, hi = -Infinity; // a loop: Math.min(...) of many jobs overflows the stack
    for (const j of jobs) (lo = Math.min(lo, j.w.from)), (hi = Math.max(hi, j.w.to));
    ctx = (await loadContext(handle, [...need], new Date(lo - DAY), new Date(hi + DAY), scheme, all)).ctx;
  }
  const configs = new Map([...all.values()].map((a) => [a.config.id, a.config]));
  const out: Record<'day' | 'month', ObjectFigure[]> = { day: [], month: [] };
  for (const j of jobs) {
    const figures = new Map(j.object.members.map((m) => [m.pointId, kept.get(`${m.pointId}|${j.w.from}|${j.w.to}`) ?? pointEnergy(ctx!, m.pointId, j.w.from, j.w.to)]));
    out[j.kind].push(objectEnergy(j.object, j.w.from, j.w.to, figures, configs));
  }
  await withTransaction(handle, async (client) => {
    await holdScheme(client, scheme);
    await saveObjects(client, handle.copy, 'day', out.day);
    await saveObjects(client, handle.copy, 'month', out.month);
  });
  return [...out.day.map((figure) => ({ kind: 'day' as const, figure })), ...out.month.map((figure) => ({ kind: 'month' as const, figure }))];
}
