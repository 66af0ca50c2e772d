/**
 * Automatic backfill. For a terminal it asks the gap source (the database, so it survives
 * restarts) which interval records its points miss over the lookback window, reads those the
 * terminal still holds from its load profile (Modbus) or history (MQTT), writes them with source
 * `backfill`, and reports the ones it no longer holds — older than its memory — without
 * inventing them. Runs on a trigger (terminal answers again, power-up, loss-of-voltage record)
 * and on a periodic sweep; triggers for a terminal already running coalesce into one more run.
 */
import type { Collector } from '../daemon/index.ts';
import { toRuns, type GapSource } from './types.ts';

const DAY = 86_400_000;

/** Settings of automatic backfill. */
export interface AutoBackfillOptions {
  /** Where missing records are learnt. */
  gaps: GapSource;
  /** The collector running now (a daemon swaps it on reload). */
  collector: () => Collector;
  /** Told when a run fails (it is retried on the next trigger or sweep). */
  onError?: (terminal: string, e: unknown) => void;
}

/** Counters of automatic backfill. */
export interface AutoBackfillStats {
  /** Terminal runs finished. */
  runs: number;
  /** Records asked of terminals. */
  requested: number;
  /** Records read and written. */
  written: number;
  /** Records reported unavailable. */
  unavailable: number;
  /** Runs that failed. */
  failures: number;
}

/** Keeps every point's interval records complete as far as the terminals' memories allow. */
export class AutoBackfill {
  private readonly runs = new Map<string, { running: Promise<void>; again: boolean }>();
  private readonly first = new Map<string, Date>();
  private readonly reported = new Map<string, Set<number>>();
  private readonly memory = new Map<string, number | undefined>();
  private readonly unknownNoted = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** Counters. */
  readonly stats: AutoBackfillStats = { runs: 0, requested: 0, written: 0, unavailable: 0, failures: 0 };

  /** Backfill with `options`. */
  constructor(private readonly options: AutoBackfillOptions) {}

  /** Sweep every terminal now and then every `backfill.sweepSeconds` of the site config. */
  start(): void {
    this.sweepAll();
    const seconds = this.options.collector().site.backfill.sweepSeconds;
    if (seconds > 0) {
      this.timer = setInterval(() => this.sweepAll(), seconds * 1000);
      this.timer.unref?.();
    }
  }

  /** Stop sweeping; resolves when running backfills end. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.idle();
  }

  private sweepAll(): void {
    for (const t of this.options.collector().site.terminals) this.trigger(t.id, 'periodic sweep');
  }

  /** Sweep every terminal and wait for the runs to end. */
  async sweep(): Promise<void> {
    this.sweepAll();
    await this.idle();
  }

  /** Resolves when no backfill is running or queued. */
  async idle(): Promise<void> {
    while (this.runs.size > 0) await Promise.all([...this.runs.values()].map((r) => r.running));
  }

  /** Backfill `terminal` soon (coalesces with a run in progress). */
  trigger(terminal: string, reason: string): void {
    const run = this.runs.get(terminal);
    if (run) {
      run.again = true;
      return;
    }
    const entry = { running: Promise.resolve(), again: false };
    entry.running = (async () => {
      let why = reason;
      do {
        entry.again = false;
        try {
          await this.runTerminal(terminal, why);
          this.stats.runs++;
        } catch (e) {
          this.stats.failures++;
          this.options.onError?.(terminal, e);
        }
        why = 'triggered again';
      } while (entry.again);
    })().finally(() => this.runs.delete(terminal));
    this.runs.set(terminal, entry);
  }

  private async runTerminal(terminal: string, reason: string): Promise<void> {
    const c = this.options.collector();
    const { gaps } = this.options;
    const config = c.site.terminals.find((t) => t.id === terminal);
    if (!config) return;
    const stepMs = (config.intervalSeconds ?? c.site.intervalSeconds) * 1000;
    const now = c.clock.now();
    // Where routine polls read the live registers, the current interval's end is the poll's
    // (under way, or its rows not yet flushed): fetching the record too would race the poll and
    // store whichever came second as a conflict (the two differ by the seconds between them).
    const to = new Date(Math.floor(now / stepMs) * stepMs - (c.pollsLiveRegisters(terminal) ? stepMs : 0));
    // Rows still in the spool are not in the database yet: asking now would fetch them again, or
    // report as lost what the terminal has since overwritten. The next sweep comes soon enough.
    await c.flushed();
    if (c.spoolPending() > 0) return;
    const points = config.meters.map((m) => m.point);
    const unseen = points.filter((p) => !this.first.has(p));
    if (unseen.length > 0) {
      for (const [p, d] of await gaps.firstKnown(unseen)) this.first.set(p, d);
      for (const p of await gaps.reportedUnavailable(unseen)) this.reported.set(p[0], p[1]);
    }
    const known = points.filter((p) => this.first.has(p));
    const unknown = points.filter((p) => !this.first.has(p) && !this.unknownNoted.has(p));
    if (unknown.length > 0) {
      unknown.forEach((p) => this.unknownNoted.add(p));
      c.report({ terminal, action: 'backfill', ok: true, durationMs: 0, detail: `points ${unknown.join(', ')}: no installation or reading in the database yet, so no interval is expected; import the archive (meterflow import archive) to backfill them` });
    }
    if (known.length === 0) return;
    const from = new Date(Math.max(now - c.site.backfill.lookbackDays * DAY, Math.min(...known.map((p) => this.first.get(p)!.getTime()))));
    if (from > to) return;
    const missing = await gaps.missing(known, from, to);
    if (!this.memory.has(terminal)) this.memory.set(terminal, await gaps.memoryDays(terminal));
    const memoryDays = this.memory.get(terminal);
    for (const point of known) {
      const reported = this.reported.get(point) ?? new Set<number>();
      this.reported.set(point, reported);
      const firstMs = this.first.get(point)!.getTime();
      const times: number[] = [];
      for (const g of missing.filter((x) => x.pointId === point))
        for (let t = g.first.getTime(); t <= g.last.getTime(); t += stepMs) if (t >= firstMs && !reported.has(t)) times.push(t);
      if (times.length === 0) continue;
      await this.fillPoint(c, terminal, point, times, stepMs, now, memoryDays, reason);
    }
    await c.flushed();
  }

  private async fillPoint(c: Collector, terminal: string, point: string, times: number[], stepMs: number, now: number, memoryDays: number | undefined, reason: string): Promise<void> {
    const window = await c.profileWindow(point);
    const memStart = Math.max(window.oldest?.getTime() ?? -Infinity, memoryDays !== undefined ? now - memoryDays * DAY : -Infinity);
    // Records after the newest one stored are not late, just not recorded yet.
    const newest = window.newest?.getTime() ?? Infinity;
    const tooOld = times.filter((t) => t < memStart);
    const ask = times.filter((t) => t >= memStart && t <= newest);
    const unavailable = [...tooOld];
    const mqtt = c.site.terminals.find((t) => t.id === terminal)?.transport.kind === 'mqtt';
    const chunk = mqtt ? 2000 : c.site.backfill.chunk;
    for (let i = 0; i < ask.length; i += chunk) {
      const part = ask.slice(i, i + chunk);
      this.stats.requested += part.length;
      const r = await c.backfill(point, part.map((t) => new Date(t)));
      this.stats.written += r.written;
      const lost = new Set(r.unavailable.map((d) => d.getTime()));
      let gotUpTo = window.newest ? newest : -Infinity;
      if (!window.newest && r.written > 0) for (const t of part) if (!lost.has(t)) gotUpTo = Math.max(gotUpTo, t);
      unavailable.push(...r.unavailable.map((d) => d.getTime()).filter((t) => t <= gotUpTo));
    }
    if (unavailable.length === 0) return;
    const runs = toRuns(unavailable, stepMs);
    const reported = this.reported.get(point)!;
    for (const t of unavailable) reported.add(t);
    this.stats.unavailable += unavailable.length;
    const iso = (t: number): string => new Date(t).toISOString();
    const unitId = c.site.terminals.find((t) => t.id === terminal)?.meters.find((m) => m.point === point)?.unitId;
    c.report({
      terminal,
      ...(unitId !== undefined ? { unitId } : {}),
      point,
      action: 'backfill',
      ok: false,
      durationMs: 0,
      errorKind: 'unavailable',
      error:
        `terminal ${terminal} point ${point}: ${unavailable.length} interval records (${runs.map(([a, b]) => (a === b ? iso(a) : `${iso(a)}…${iso(b)}`)).join(', ')}) ` +
        `are no longer in the terminal's memory${Number.isFinite(memStart) ? ` (it holds records from ${iso(memStart)})` : ''}; they stay missing and are not invented — import them (meterflow import readings) if another source has them`,
      data: { runs, stepSeconds: stepMs / 1000, reason },
    });
  }
}
