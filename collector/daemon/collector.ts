/**
 * The running collector: aligned routine polls, on-demand reads, backfill from load profiles,
 * MQTT pushes, all through the scheduler into the spooling writer. Nothing that goes wrong on
 * the wire escapes: every failure becomes an acquisition log entry.
 */
import type { SiteConfig, TerminalConfig } from '../config/index.ts';
import { AcquisitionScheduler, AlignedTimer, type PriorityName } from '../scheduler/index.ts';
import { ReadingWriter, type ReadingRow, type ReadingSink } from '../sink/index.ts';
import { Spool } from '../spool/index.ts';
import type { Snapshot } from '../transports/mqtt/index.ts';
import type { ModbusTransport } from '../transports/types.ts';
import { fetchRecords, profileWindow, type ProfileWindow } from './history.ts';
import { openLinks, type SiteLinks } from './links.ts';
import { kindOf, readMeters, type MeterResult, type ReadContext } from './reads.ts';
import { WALL_CLOCK, type AcquisitionLogEntry, type CollectorClock, type CollectorHealth, type TerminalHealth } from './types.ts';
import { MinuteRate } from './rate.ts';

export type { MeterResult } from './reads.ts';
export type { ProfileWindow } from './history.ts';

/** How to run a collector. */
export interface CollectorOptions {
  /** Where readings go (the database). */
  sink: ReadingSink;
  /** Acquisition log (every poll, read, backfill, push). */
  onLog?: (e: AcquisitionLogEntry) => void;
  /** A terminal answers again after failing, or says it powered up: time to backfill its gaps. */
  onTerminalBack?: (terminal: string, reason: string) => void;
  /** Replace a Modbus transport (tests, replay). */
  transport?: (t: TerminalConfig) => ModbusTransport | undefined;
  /** Start the aligned routine timers (default true). */
  schedule?: boolean;
  /** The collector's clock (default real time; test rigs run it accelerated). */
  clock?: CollectorClock;
}

/** What a backfill did for one point. */
export interface BackfillResult {
  /** Rows written with source `backfill`. */
  written: number;
  /** Wanted times the terminal does not hold: reported, never invented. */
  unavailable: Date[];
}

/** Outcomes that say nothing about whether the terminal answers. */
const NEUTRAL = new Set(['exception', 'no-record', 'unavailable', 'conflict', 'refused']);

/** Run a log consumer; its failure must not stop acquisition. */
function guarded(fn: () => void): void {
  try {
    fn();
  } catch {
    // ignored on purpose
  }
}

/** A running site collector. */
export class Collector {
  private readonly timers: AlignedTimer[] = [];
  private readonly health = new Map<string, TerminalHealth>();
  private readonly errors: Record<string, number> = {};
  private readonly rate = new MinuteRate();
  private readonly lastPush = new Map<string, Date>();
  private readonly ctx: ReadContext;
  /** The collector's clock. */
  readonly clock: CollectorClock;
  /** End of the first poll cycle: the longest interval and poll offset of any terminal, and a minute. */
  private readonly startingUntil: number;

  private constructor(
    readonly site: SiteConfig,
    private readonly links: SiteLinks,
    private readonly scheduler: AcquisitionScheduler,
    private readonly spool: Spool,
    private readonly writer: ReadingWriter,
    private readonly options: CollectorOptions,
  ) {
    this.clock = options.clock ?? WALL_CLOCK;
    const longest = Math.max(site.intervalSeconds + site.offsetSeconds, ...site.terminals.map((t) => (t.intervalSeconds ?? site.intervalSeconds) + (t.offsetSeconds ?? site.offsetSeconds)));
    this.startingUntil = this.clock.now() + (longest + 60) * 1000;
    this.ctx = {
      site,
      links,
      scheduler,
      log: (e) => this.log(e),
      now: () => this.clock.now(),
      outageSeen: new Map(),
      outageRecords: new Map(),
      onPowerUp: (terminal, unitId, at) => {
        this.log({ terminal, unitId, action: 'event', ok: true, durationMs: 0, detail: `power restored at ${at.toISOString()} (loss-of-voltage record)` });
        guarded(() => options.onTerminalBack?.(terminal, `power restored at ${at.toISOString()}`));
      },
      onVoltageLoss: (records) => this.side('voltage-loss', () => options.sink.voltageLoss?.(records)),
    };
  }

  /**
   * Store loss-of-voltage records or events beside the readings. They are re-read or re-sent
   * (the meter keeps its records, a terminal its events), so a failure is logged, not spooled.
   */
  private side(what: string, store: () => Promise<void> | undefined): void {
    store()?.catch((e: unknown) => this.log({ terminal: '*', action: 'write', ok: false, durationMs: 0, error: `${what}: ${(e as Error)?.message ?? e}`, errorKind: 'sink' }));
  }

  /** Open links, spool and writer, and start the aligned timers. */
  static async start(site: SiteConfig, options: CollectorOptions): Promise<Collector> {
    const links = await openLinks(site, options.transport);
    const scheduler = new AcquisitionScheduler({
      timeoutMs: site.timeoutMs,
      retries: site.retries,
      breaker: site.breaker,
      concurrency: (q) => links.concurrency.get(q) ?? 1,
    });
    const note = (e: AcquisitionLogEntry): void => guarded(() => options.onLog?.(e));
    const { spool } = await Spool.open(site.spool.path, {
      maxBytes: site.spool.maxBytes,
      onFull: (e) => note({ at: new Date(), terminal: '*', action: 'write', ok: false, durationMs: 0, error: e.message, errorKind: 'spool-full' }),
    });
    const writer = new ReadingWriter(options.sink, spool, {
      onError: (e) => note({ at: new Date(), terminal: '*', action: 'write', ok: false, durationMs: 0, error: String((e as Error)?.message ?? e), errorKind: 'sink' }),
    });
    const c = new Collector(site, links, scheduler, spool, writer, options);
    for (const t of site.terminals) c.health.set(t.id, { id: t.id, kind: t.transport.kind, online: false, lastSuccess: null, lastError: null });
    c.wireMqtt();
    if (options.schedule !== false) {
      for (const t of site.terminals) {
        if (t.transport.kind === 'mqtt') continue;
        const interval = (t.intervalSeconds ?? site.intervalSeconds) * 1000;
        const offset = (t.offsetSeconds ?? site.offsetSeconds) * 1000;
        const timer = new AlignedTimer(interval, offset, (slot) => void c.pollTerminal(t.id, slot).catch(() => undefined), c.clock.now, c.clock.speed);
        timer.start();
        c.timers.push(timer);
      }
    }
    return c;
  }

  private log(e: Omit<AcquisitionLogEntry, 'at'>): void {
    if (!e.ok && e.errorKind) this.errors[e.errorKind] = (this.errors[e.errorKind] ?? 0) + 1;
    const h = this.health.get(e.terminal);
    if (h && !e.retried && e.action !== 'push' && e.action !== 'event' && !NEUTRAL.has(e.errorKind ?? '')) {
      if (e.ok) {
        if (!h.online && h.lastError !== null) guarded(() => this.options.onTerminalBack?.(e.terminal, 'answers again'));
        Object.assign(h, { online: true, lastSuccess: new Date() });
      } else Object.assign(h, { online: false, lastError: e.error ?? null });
    }
    guarded(() => this.options.onLog?.({ at: new Date(), ...e }));
  }

  /** Whether routine polls of `terminal` read its live registers (not the record frozen at the boundary). */
  pollsLiveRegisters(terminal: string): boolean {
    const t = this.site.terminals.find((x) => x.id === terminal);
    return this.options.schedule !== false && t !== undefined && t.transport.kind !== 'mqtt' && t.pollFrom === 'registers';
  }

  /** Record an acquisition-log entry from outside (backfill reports, sink conflicts). */
  report(e: Omit<AcquisitionLogEntry, 'at'>): void {
    this.log(e);
  }

  private emit(rows: ReadingRow[]): void {
    if (rows.length === 0) return;
    this.rate.add(rows.length);
    this.writer.write(rows);
  }

  /** Read every meter of a Modbus terminal (priority `routine` unless told) and write the rows for interval end `slot`. */
  async pollTerminal(id: string, slot: Date, priority: PriorityName = 'routine'): Promise<MeterResult[]> {
    const results = await readMeters(this.ctx, id, undefined, priority, 'poll', slot);
    this.emit(results.flatMap((r) => (r.reading ? [{ pointId: r.point, ts: slot, source: 'poll' as const, values: r.reading.values, ...withInstant(r.reading.instant) }] : [])));
    return results;
  }

  /** On-demand read of a terminal or a point (`meterflow read`): highest priority, nothing written. */
  async readNow(target: string): Promise<MeterResult[]> {
    const byPoint = this.site.terminals.find((t) => t.meters.some((m) => m.point === target));
    const id = this.site.terminals.some((t) => t.id === target) ? target : byPoint?.id;
    if (!id) throw new Error(`${target} is neither a terminal nor a point of site ${this.site.site}`);
    return readMeters(this.ctx, id, id === target ? undefined : target, 'onDemand', 'read');
  }

  private pointConfig(point: string): { config: TerminalConfig; unitId: number } {
    const config = this.site.terminals.find((t) => t.meters.some((m) => m.point === point));
    if (!config) throw new Error(`no point ${point} in site ${this.site.site}`);
    return { config, unitId: config.meters.find((m) => m.point === point)!.unitId };
  }

  /**
   * Fetch the stored records of `point` at the wanted interval ends from its terminal (Modbus
   * load profile or MQTT history request) and write them with source `backfill`.
   */
  async backfill(point: string, wanted: readonly Date[]): Promise<BackfillResult> {
    const { config, unitId } = this.pointConfig(point);
    const started = performance.now();
    const base = { terminal: config.id, unitId, point, action: 'backfill' as const };
    if (wanted.length === 0) return { written: 0, unavailable: [] };
    try {
      const { records, unavailable } = await fetchRecords(this.ctx, config, unitId, wanted);
      this.emit(records.map((r) => ({ pointId: point, ts: r.ts, source: 'backfill' as const, values: r.values })));
      this.log({ ...base, ok: true, durationMs: performance.now() - started, detail: `${records.length} records, ${unavailable.length} unavailable` });
      return { written: records.length, unavailable };
    } catch (e) {
      this.log({ ...base, ok: false, durationMs: performance.now() - started, error: (e as Error)?.message ?? String(e), errorKind: kindOf(e) });
      throw e;
    }
  }

  /** What the terminal of `point` holds: its load profile's range (Modbus) or the newest pushed snapshot (MQTT). */
  async profileWindow(point: string): Promise<ProfileWindow> {
    const { config, unitId } = this.pointConfig(point);
    return profileWindow(this.ctx, config, unitId, this.lastPush.get(config.id));
  }

  private wireMqtt(): void {
    const link = this.links.mqtt;
    if (!link) return;
    link.onSnapshot((s) => this.takeSnapshot(s));
    link.onInvalid((m) => this.log({ terminal: m.terminal, action: 'push', ok: false, durationMs: 0, error: `${m.topic}: ${m.error}`, errorKind: 'invalid-payload' }));
    link.onError((e) => this.log({ terminal: '*', action: 'push', ok: false, durationMs: 0, error: `MQTT broker: ${e.message}`, errorKind: 'broker' }));
    link.onStatus((terminal, status) => {
      const h = this.health.get(terminal);
      if (!h) return;
      const was = h.online;
      Object.assign(h, { online: status === 'online' }, status === 'online' ? { lastSuccess: new Date() } : { lastError: 'status offline' });
      this.log({ terminal, action: 'status', ok: status === 'online', durationMs: 0, detail: status, ...(status === 'offline' ? { errorKind: 'offline' } : {}) });
      if (!was && status === 'online') guarded(() => this.options.onTerminalBack?.(terminal, 'status online'));
    });
    link.onEvent((terminal, e) => {
      this.log({ terminal, ...(e.unitId !== undefined ? { unitId: e.unitId } : {}), action: 'event', ok: true, durationMs: 0, detail: `${e.kind} at ${e.ts.toISOString()}` });
      this.side('event', () => this.options.sink.events?.([{ terminalId: terminal, ts: e.ts, kind: e.kind, ...(e.unitId !== undefined ? { unitId: e.unitId } : {}), ...(e.detail ? { detail: e.detail } : {}) }]));
      if (e.kind === 'power-up') guarded(() => this.options.onTerminalBack?.(terminal, 'power-up event'));
    });
  }

  private takeSnapshot(s: Snapshot): void {
    const config = this.site.terminals.find((t) => t.id === s.terminal);
    if (!config) return;
    const rows: ReadingRow[] = [];
    for (const m of s.meters) {
      const meter = config.meters.find((x) => x.unitId === m.unitId);
      if (meter) rows.push({ pointId: meter.point, ts: s.ts, source: 'push', values: m.registers, ...withInstant(m.instant) });
    }
    const h = this.health.get(s.terminal);
    if (h) Object.assign(h, { online: true, lastSuccess: new Date() });
    if (s.ts > (this.lastPush.get(s.terminal) ?? new Date(0))) this.lastPush.set(s.terminal, s.ts);
    this.log({ terminal: s.terminal, action: 'push', ok: true, durationMs: 0, detail: `${rows.length} meters at ${s.ts.toISOString()}` });
    this.emit(rows);
  }

  /** The health/metrics snapshot. */
  healthSnapshot(): CollectorHealth {
    return {
      site: this.site.site,
      terminals: [...this.health.values()].map((h) => ({ ...h, ...(h.kind !== 'mqtt' ? { breaker: this.scheduler.breaker(h.id).state } : {}) })),
      queues: this.scheduler.depths(),
      spool: { pendingBytes: this.spool.pendingBytes, sizeBytes: this.spool.sizeBytes },
      writer: { ...this.writer.stats },
      readingsPerSecond: this.rate.perSecond(),
      errors: { ...this.errors },
      starting: this.clock.now() < this.startingUntil,
    };
  }

  /** Bytes in the spool not yet replayed into the sink (rows the database does not have yet). */
  spoolPending(): number {
    return this.spool.pendingBytes;
  }

  /** Resolves when every row handed over so far is in the sink or the spool. */
  async flushed(): Promise<void> {
    await this.writer.flush();
  }

  /** Wait until every buffered row is in the sink (spool replayed). */
  async drained(): Promise<void> {
    await this.writer.drained();
  }

  /** Graceful stop: timers off, queued jobs dropped, in-flight batches flushed or spooled, links closed. */
  async stop(): Promise<void> {
    for (const t of this.timers) t.stop();
    await this.scheduler.stop();
    await this.writer.close();
    await this.spool.close();
    await Promise.all([...this.links.modbus.values()].map((t) => t.close().catch(() => undefined)));
    await this.links.mqtt?.close();
  }
}

/** The instantaneous values of a row, when any were read. */
function withInstant(instant: ReadingRow['instant'] | undefined): Pick<ReadingRow, 'instant'> {
  return instant && Object.keys(instant).length > 0 ? { instant } : {};
}
