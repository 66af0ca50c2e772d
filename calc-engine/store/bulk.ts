/**
 * The bulk recompute: the same rows and values as `recomputeRanges` (interval, daily and
 * monthly energy, object results), computed columnar chunk by chunk of points, so a full
 * recompute of a month of many points runs at database speed and memory follows the chunk size
 * (readings of the chunk computed and of the chunks read ahead, one per writer), not the data set.
 *
 * A point takes the columnar path when one meter epoch with an integer multiplier covers every
 * reading it needs and no bypass or manual energy touches it: `runKernel` gives every interval's
 * deltas in register steps and energy is delta × M as an exact integer; days and months are the
 * deltas between their boundary readings. Inside such a point, an interval the kernel cannot take
 * (a snapshot missing or partial, a register decrease) and a day or month without both boundary
 * readings go through the figure path on the same loaded readings (interpolation, missing
 * reasons). Points with a non-integer multiplier, a meter or CT/PT change inside the window, a
 * bypass or an adjustment go through `recomputeRanges` whole, as does everything when COPY is off.
 * Readings come out with COPY TO, interval rows go in with binary COPY after deleting their
 * window, days and months with `bulkUpsert`; one transaction per chunk. A stored month that no
 * range comes near enough to change (a backfill in mid-month) is left as it is, with the objects'
 * months above it. The plausibility checks
 * run on the same chunks (bulk-checks.ts) in the scopes `checkRecomputation` uses, and their
 * alarms are reconciled in one batch at the end.
 */
import { ensurePartitions, REGISTER_COUNT, type Database } from '../../schema/index.ts';
import type { DirtyRange } from '../tasks/index.ts';
import { runKernel, type KernelResult } from '../kernel.ts';
import { NOT_COLUMNAR } from '../kernel-flags.ts';
import { meterEpochs, type MeterEpoch } from '../epochs.ts';
import { energyContext, pointEnergy } from '../period.ts';
import { intervalMs, type PointData } from '../point.ts';
import type { EnergyFigure } from '../figure.ts';
import type { PeriodFigure } from '../daily.ts';
import { adjustedPoints, loadBypasses, loadObjects, loadPointArchive, loadScheme, type PointArchive } from './load.ts';
import { recomputeRanges, type RecomputeOptions } from './recompute.ts';
import { applyAlarmGroups, openFrozenRuns } from './alarms.ts';
import type { AlarmChanges } from '../alarms.ts';
import { knownLoaded, objectGroups } from './checks.ts';
import { chunkChecks } from './bulk-checks.ts';
import { readWindows, type ReadWindow } from './bulk-io.ts';
import { boundaryFigure, chunkPlans, groupByWindow, kernelChunk, windowEpoch } from './bulk-chunk.ts';
import { CopyBinary, figureTuple, textField, timestampField, writeChunk } from './bulk-copy.ts';
import { keepStoredMonths, periodCalendar, pointPlan, saveObjectResults, windowSnapshots, type PointPlan } from './bulk-plan.ts';
import { MAX_LOCKED_POINTS } from './save.ts';

/** How to run a bulk recompute: as `recomputeRanges` (checks on by default), plus chunking. */
export interface BulkOptions extends RecomputeOptions {
  /**
   * Snapshots per chunk (default 300 000, a month of 100 points at 15 minutes): memory is about
   * chunk × 20 × 16 bytes, and a small incremental run takes one chunk, so one round trip each way.
   */
  chunkSnapshots?: number;
  /** Chunks written at once, each on its own connection (default 2). */
  writers?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Told after each written chunk: columnar points written so far, of all columnar points. */
  onProgress?: (done: number, total: number) => void;
}

/** What a bulk recompute did, and which path each part took. */
export interface BulkStats {
  points: number;
  /** Points computed columnar, and the rest with the reason they went through the figure path. */
  columnarPoints: number;
  figurePoints: Record<string, string>;
  intervals: number;
  /** Intervals of columnar points that needed the figure path (missing or partial snapshots, decreases). */
  figureIntervals: number;
  days: number;
  months: number;
  objectResults: number;
  /** Snapshots through `runKernel`, and the time spent in it. */
  kernelSnapshots: number;
  kernelMs: number;
  /** Alarms raised, updated and cleared by the checks. */
  alarms: { raised: number; updated: number; cleared: number };
  /** Wall time waiting for readings, computing (kernel, figures, COPY data, checks) and writing. */
  timings: { readWaitMs: number; computeMs: number; writeMs: number };
}

/** Why a point cannot take the columnar path, or null when it can. */
function figureReason(a: PointArchive, epochs: readonly MeterEpoch[], lo: number, hi: number, special: ReadonlySet<string>): string | null {
  if (special.has(a.config.id)) return 'bypass or manual energy';
  const inWindow = epochs.filter((e) => e.to > lo && e.from < hi);
  if (inWindow.length !== 1 || inWindow[0]!.from >= lo || inWindow[0]!.to <= hi) return 'meter or CT/PT change in the window';
  if (inWindow[0]!.multiplier.den !== 1n) return 'non-integer multiplier';
  return null;
}

/** Recompute `ranges` with the columnar path where it applies; the same rows as `recomputeRanges`. */
export async function recomputeBulk(handle: Database, ranges: readonly DirtyRange[], opts: BulkOptions = {}): Promise<BulkStats> {
  if (!handle.copy) return figurePathOnly(handle, ranges, { ...opts, scheme: opts.scheme ?? (await loadScheme(handle.db)) });
  const ids = [...new Set(ranges.map((r) => r.pointId))];
  // Independent reads on their own connections: a small run's plan is mostly round trips.
  const [scheme, archive, bypasses, adjusted, objects] = await Promise.all([
    opts.scheme ?? loadScheme(handle.db), loadPointArchive(handle, ids), loadBypasses(handle, ids), adjustedPoints(handle, ids), loadObjects(handle, ids),
  ]);
  const cal = periodCalendar(scheme);
  const special = new Set([...bypasses.flatMap((b) => [b.feederId, b.bypassId]), ...adjusted]);
  const members = new Set(objects.flatMap((o) => o.members.map((m) => m.pointId)));
  const stats = emptyStats();
  const checks = opts.checks !== false;
  const limits = new Map([...archive.values()].map((a) => [a.config.id, a.limits]));

  const rangesOf = new Map<string, DirtyRange[]>();
  for (const r of ranges) (rangesOf.get(r.pointId) ?? rangesOf.set(r.pointId, []).get(r.pointId)!).push(r);
  const planned: PointPlan[] = [];
  for (const id of ids) {
    const a = archive.get(id);
    if (!a) continue;
    stats.points++;
    planned.push(pointPlan(a, meterEpochs(a.installations, a.ratios), rangesOf.get(id)!, cal));
  }
  const objectsOf = new Map<string, string[]>();
  for (const o of objects) for (const m of o.members) (objectsOf.get(m.pointId) ?? objectsOf.set(m.pointId, []).get(m.pointId)!).push(o.id);
  // The open frozen runs of every planned point (a superset of the columnar ones) meanwhile.
  const [, frozen] = await Promise.all([
    keepStoredMonths(handle, planned, objectsOf),
    checks ? openFrozenRuns(handle, planned.map((p) => p.archive.config.id)) : new Map() as Awaited<ReturnType<typeof openFrozenRuns>>,
  ]);
  const plans: PointPlan[] = [];
  const figureRanges: DirtyRange[] = [];
  for (const plan of planned) {
    const id = plan.archive.config.id;
    const reason = figureReason(plan.archive, plan.epochs, plan.load[0]!.from, plan.load.at(-1)!.to, special);
    if (reason) {
      stats.figurePoints[id] = reason;
      figureRanges.push(...rangesOf.get(id)!);
    } else plans.push(plan);
  }
  stats.columnarPoints = plans.length;
  if (plans.length > 0) {
    let lo = Infinity, hi = -Infinity; // a loop: Math.min(...) of many windows overflows the stack
    for (const p of plans) for (const w of p.windows) (lo = Math.min(lo, w.from)), (hi = Math.max(hi, w.to));
    await ensurePartitions(handle.db, 'interval_energy', new Date(lo), new Date(hi));
  }

  // Member figures of statistical objects, kept (only for members) to build object results.
  const kept = new Map<string, EnergyFigure>();
  const outputs: KernelResult[][] = [];
  const writes: Promise<void>[] = [];
  const chunks = chunkPlans(plans, opts.chunkSnapshots ?? 300_000, opts.writers ?? 2, MAX_LOCKED_POINTS);
  const started = performance.now();
  let done = 0;
  const load = (k: number) => {
    const part = chunks[k]!;
    const read = readWindows(handle, part.flatMap((p) => p.load.map((w): ReadWindow => ({ pointId: p.archive.config.id, ...w, rows: windowSnapshots(w, intervalMs(p.archive.config)) }))));
    read.catch(() => undefined); // awaited later; a failure must not surface as unhandled meanwhile
    return read;
  };
  // Reads run ahead, one per writer: a small run reads its chunks on that many connections at once.
  const ahead = opts.writers ?? 2;
  const reads = chunks.slice(0, ahead).map((_, k) => load(k));
  for (let k = 0; k < chunks.length; k++) {
    let t = performance.now();
    const series = await reads[k]!;
    delete reads[k];
    stats.timings.readWaitMs += performance.now() - t;
    t = performance.now();
    if (k + ahead < chunks.length) reads[k + ahead] = load(k + ahead);
    const part = chunks[k]!;
    const points = part.map((p): PointData => ({ config: p.archive.config, epochs: p.epochs, series: series.get(p.archive.config.id)! }));
    const ctx = energyContext(points);
    const days: PeriodFigure[] = [];
    const months: PeriodFigure[] = [];
    const groups = groupByWindow(part).map((group, g) => {
      const rows = group.plans.map((p) => points[part.indexOf(p)]!);
      const chunk = kernelChunk(rows, group.from, group.intervals, (p) => knownLoaded(p, group.from, group.from + group.intervals * group.dt, frozen));
      const t0 = performance.now();
      // Output buffers are reused from chunk to chunk, so memory follows the chunk size; a ring
      // one longer than the writes in flight, whose COPY data is still made from theirs.
      const slot = outputs[k % ((opts.writers ?? 2) + 1)] ??= [];
      const reuse = slot[g];
      const res = runKernel(chunk, undefined, reuse && reuse.deltas.length === chunk.rows * group.intervals * REGISTER_COUNT ? reuse : undefined);
      slot[g] = res;
      stats.kernelMs += performance.now() - t0;
      stats.kernelSnapshots += chunk.rows * chunk.snapshots;
      stats.intervals += rows.length * group.intervals;
      return { ...group, rows, chunk, res };
    });
    for (const [i, plan] of part.entries()) {
      const p = points[i]!;
      for (const d of plan.days) days.push({ ...boundaryFigure(ctx, p, d.from, d.to), label: d.label });
      for (const mo of plan.months) months.push({ ...boundaryFigure(ctx, p, mo.from, mo.to), label: mo.label });
      if (members.has(p.config.id)) for (const f of [...days, ...months].filter((x) => x.pointId === p.config.id)) kept.set(`${f.pointId}|${f.from}|${f.to}`, f);
    }
    // Intervals the kernel could not take go through the figure path once, for checks and rows.
    const figures = new Map<string, EnergyFigure>();
    const figureOf = (id: string, a: number, b: number) => {
      const key = `${id}|${a}|${b}`;
      return figures.get(key) ?? (figures.set(key, pointEnergy(ctx, id, a, b)), figures.get(key)!);
    };
    const found = checks ? chunkChecks(figureOf, groups, days, months, limits, frozen) : [];
    // COPY data is made point by point while the server takes the previous point in.
    function* tuples(): Generator<Buffer> {
      const out = new CopyBinary();
      out.header();
      for (const { from, intervals, dt, rows, res } of groups) {
        const at = Array.from({ length: intervals + 1 }, (_, j) => timestampField(from + j * dt));
        for (const [row, p] of rows.entries()) {
          const id = textField(p.config.id);
          const m = Number(windowEpoch(p, from).multiplier.num);
          for (let j = 0; j < intervals; j++) {
            const fi = row * intervals + j;
            if (res.flags[fi]! & NOT_COLUMNAR) {
              figureTuple(out, figureOf(p.config.id, from + j * dt, from + (j + 1) * dt));
              stats.figureIntervals++;
            } else out.intervalRow(id, at[j]!, at[j + 1]!, res.deltas, fi * REGISTER_COUNT, m);
          }
          yield out.take();
        }
      }
      out.trailer();
      yield out.take();
    }
    stats.timings.computeMs += performance.now() - t;
    // Writes of consecutive chunks overlap (each in its own transaction): the server's ingest,
    // not the engine, is the bottleneck, and it runs one backend per connection.
    t = performance.now();
    if (writes.length >= (opts.writers ?? 2)) await writes.shift();
    stats.timings.writeMs += performance.now() - t;
    const windows = groups.map((g) => ({ points: g.plans.map((p) => p.archive.config.id), from: g.from, to: g.from + g.intervals * g.dt }));
    // The chunk's alarms once its figures are committed: memory follows the chunk here too.
    writes.push(writeChunk(handle, scheme, windows, tuples(), days, months).then(async () => {
      if (found.length > 0) countAlarms(stats, await applyAlarmGroups(handle, found, opts.alarmListeners, scheme));
      done += part.length;
      stats.days += days.length;
      stats.months += months.length;
      opts.onProgress?.(done, plans.length);
      opts.log?.(`bulk: ${done}/${plans.length} points written, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }));
    // Keep a failed write from going unobserved while others are awaited.
    writes.at(-1)!.catch(() => undefined);
  }
  const t = performance.now();
  await Promise.all(writes);
  stats.timings.writeMs += performance.now() - t;

  // The figure path, whole, for the points the columnar path does not take (a few, by design).
  await figureBatches(handle, figureRanges, { ...opts, scheme }, stats);
  const objectFigures = await saveObjectResults(handle, scheme, objects, plans, kept, ranges, archive);
  stats.objectResults = objectFigures.length;
  if (checks) countAlarms(stats, await applyAlarmGroups(handle, objectGroups(objects, objectFigures), opts.alarmListeners, scheme));
  return stats;
}

/** Stats of a run that has done nothing yet. */
function emptyStats(): BulkStats {
  return {
    points: 0, columnarPoints: 0, figurePoints: {}, intervals: 0, figureIntervals: 0, days: 0, months: 0, objectResults: 0,
    kernelSnapshots: 0, kernelMs: 0, alarms: { raised: 0, updated: 0, cleared: 0 }, timings: { readWaitMs: 0, computeMs: 0, writeMs: 0 },
  };
}

function countAlarms(stats: BulkStats, c: AlarmChanges): void {
  stats.alarms.raised += c.raise.length;
  stats.alarms.updated += c.update.length;
  stats.alarms.cleared += c.clear.length;
}

/**
 * With COPY off (`MF_BULK=insert`, or the PGlite conformance build) everything takes the figure path: the
 * bulk path's reason to exist is COPY in both directions.
 */
async function figurePathOnly(handle: Database, ranges: readonly DirtyRange[], opts: RecomputeOptions): Promise<BulkStats> {
  const stats = emptyStats();
  stats.figurePoints = Object.fromEntries(ranges.map((r) => [r.pointId, 'server without COPY']));
  stats.points = await figureBatches(handle, ranges, opts, stats);
  stats.figureIntervals = stats.intervals;
  return stats;
}

/**
 * `recomputeRanges` a batch at a time, counted into `stats` (returns the points it knew): that path holds figures as objects,
 * and each of its transactions locks the interval rows of at most a batch of points.
 */
async function figureBatches(handle: Database, ranges: readonly DirtyRange[], opts: RecomputeOptions, stats: BulkStats): Promise<number> {
  let points = 0;
  for (let k = 0; k < ranges.length; k += FIGURE_BATCH) {
    const s = await recomputeRanges(handle, ranges.slice(k, k + FIGURE_BATCH), opts);
    stats.intervals += s.intervals;
    for (const key of ['raised', 'updated', 'cleared'] as const) stats.alarms[key] += s.alarms[key];
    stats.days += s.days;
    stats.months += s.months;
    stats.objectResults += s.objectResults;
    points += s.points;
  }
  return points;
}

/** Ranges per figure-path call (at most `MAX_LOCKED_POINTS` points). */
const FIGURE_BATCH = 100;
