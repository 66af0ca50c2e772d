/**
 * The running collector: aligned routine polls, on-demand reads, backfill from load profiles,
 * MQTT pushes, all through the scheduler into the spooling writer. Nothing that goes wrong on
 * the wire escapes: every failure becomes an acquisition log entry.
 */
import type { SiteConfig, TerminalConfig } from '../config/index.ts';
import { readMeter } from '../acquisition/index.ts';
import type { MeterReading } from '../decoding/index.ts';
import { readHistory } from '../history/index.ts';
import { findProfile, type MeterProfile } from '../profiles/index.ts';
import { AcquisitionScheduler, AlignedTimer, CircuitOpenError, JobTimeoutError, type PriorityName } from '../scheduler/index.ts';
import { ReadingWriter, type ReadingRow, type ReadingSink } from '../sink/index.ts';
import { Spool } from '../spool/index.ts';
import type { Snapshot } from '../transports/mqtt/index.ts';
import type { ModbusTransport } from '../transports/types.ts';
import { openLinks, type SiteLinks } from './links.ts';
import type { AcquisitionLogEntry, CollectorHealth, TerminalHealth } from './types.ts';

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
}

/** One meter's result of a read. */
export interface MeterResult {
  /** Terminal id. */
  terminal: string;
  /** Unit id. */
  unitId: number;
  /** Metering point. */
  point: string;
  /** The reading, when it succeeded. */
  reading?: MeterReading;
  /** The error message, when it failed. */
  error?: string;
}

/** What a backfill did for one point. */
export interface BackfillResult {
  /** Rows written with source `backfill`. */
  written: number;
  /** Wanted times the terminal does not hold: reported, never invented. */
  unavailable: Date[];
}

function kindOf(e: unknown): string {
  if (e instanceof CircuitOpenError) return 'circuit-open';
  if (e instanceof JobTimeoutError) return 'timeout';
  const k = (e as { kind?: unknown })?.kind;
  return typeof k === 'string' ? k : (e as Error)?.name ?? 'error';
}

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
  private readonly recent: number[] = [];

  private constructor(
    readonly site: SiteConfig,
    private readonly links: SiteLinks,
    private readonly scheduler: AcquisitionScheduler,
    private readonly spool: Spool,
    private readonly writer: ReadingWriter,
    private readonly options: CollectorOptions,
  ) {}

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
        const timer = new AlignedTimer((t.intervalSeconds ?? site.intervalSeconds) * 1000, (t.offsetSeconds ?? site.offsetSeconds) * 1000, (slot) => {
          void c.pollTerminal(t.id, slot).catch(() => undefined);
        });
        timer.start();
        c.timers.push(timer);
      }
    }
    return c;
  }

  private terminal(id: string): { config: TerminalConfig; profile: MeterProfile } {
    const config = this.site.terminals.find((t) => t.id === id);
    if (!config) throw new Error(`no terminal ${id} in site ${this.site.site}`);
    return { config, profile: findProfile(config.profile)! };
  }

  private log(e: Omit<AcquisitionLogEntry, 'at'>): void {
    if (!e.ok && e.errorKind) this.errors[e.errorKind] = (this.errors[e.errorKind] ?? 0) + 1;
    const h = this.health.get(e.terminal);
    if (h && e.action !== 'push') {
      if (e.ok) {
        if (!h.online && h.lastError !== null) guarded(() => this.options.onTerminalBack?.(e.terminal, 'answers again'));
        Object.assign(h, { online: true, lastSuccess: new Date() });
      } else if (e.errorKind !== 'exception') Object.assign(h, { online: false, lastError: e.error ?? null });
    }
    guarded(() => this.options.onLog?.({ at: new Date(), ...e }));
  }

  private emit(rows: ReadingRow[]): void {
    if (rows.length === 0) return;
    const now = Date.now();
    for (let i = 0; i < rows.length; i++) this.recent.push(now);
    this.writer.write(rows);
  }

  /** Read every meter of a Modbus terminal (priority `routine` unless told) and write the rows for interval end `slot`. */
  async pollTerminal(id: string, slot: Date, priority: PriorityName = 'routine'): Promise<MeterResult[]> {
    const results = await this.readMeters(id, undefined, priority, 'poll');
    this.emit(results.flatMap((r) => (r.reading ? [{ pointId: r.point, ts: slot, source: 'poll' as const, values: r.reading.values }] : [])));
    return results;
  }

  /** On-demand read of a terminal or a point (`meterflow read`): highest priority, nothing written. */
  async readNow(target: string): Promise<MeterResult[]> {
    const byPoint = this.site.terminals.find((t) => t.meters.some((m) => m.point === target));
    const id = this.site.terminals.some((t) => t.id === target) ? target : byPoint?.id;
    if (!id) throw new Error(`${target} is neither a terminal nor a point of site ${this.site.site}`);
    return this.readMeters(id, id === target ? undefined : target, 'onDemand', 'read');
  }

  private async readMeters(id: string, point: string | undefined, priority: PriorityName, action: 'poll' | 'read'): Promise<MeterResult[]> {
    const { config, profile } = this.terminal(id);
    const transport = this.links.modbus.get(id);
    if (!transport) throw new Error(`terminal ${id} is not polled (transport ${config.transport.kind})`);
    const meters = config.meters.filter((m) => !point || m.point === point);
    return Promise.all(
      meters.map(async (m): Promise<MeterResult> => {
        const started = performance.now();
        try {
          const reading = await this.scheduler.submit({
            queue: this.links.queueOf.get(id)!,
            terminal: id,
            priority,
            label: `${action} unit ${m.unitId}`,
            ...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}),
            ...(config.retries !== undefined ? { retries: config.retries } : {}),
            run: (signal) => readMeter(transport, profile, m.unitId, { signal, ...(config.maxGap !== undefined ? { maxGap: config.maxGap } : {}), ...(config.maxRequest ? { maxCount: config.maxRequest } : {}) }),
          });
          const detail = reading.problems.length ? `problems: ${reading.problems.join('; ')}` : undefined;
          this.log({ terminal: id, unitId: m.unitId, point: m.point, action, ok: true, durationMs: performance.now() - started, ...(detail ? { detail } : {}) });
          return { terminal: id, unitId: m.unitId, point: m.point, reading };
        } catch (e) {
          const error = (e as Error)?.message ?? String(e);
          this.log({ terminal: id, unitId: m.unitId, point: m.point, action, ok: false, durationMs: performance.now() - started, error, errorKind: kindOf(e) });
          return { terminal: id, unitId: m.unitId, point: m.point, error };
        }
      }),
    );
  }

  /**
   * Fetch the stored records of `point` at the wanted interval ends from its terminal (Modbus
   * load profile or MQTT history request) and write them with source `backfill`.
   */
  async backfill(point: string, wanted: readonly Date[]): Promise<BackfillResult> {
    const config = this.site.terminals.find((t) => t.meters.some((m) => m.point === point));
    if (!config) throw new Error(`no point ${point} in site ${this.site.site}`);
    const meter = config.meters.find((m) => m.point === point)!;
    const started = performance.now();
    const base = { terminal: config.id, unitId: meter.unitId, point, action: 'backfill' as const };
    if (wanted.length === 0) return { written: 0, unavailable: [] };
    try {
      let records: { ts: Date; values: (number | null)[] }[];
      let unavailable: Date[];
      if (config.transport.kind === 'mqtt') {
        const times = wanted.map((d) => d.getTime());
        const answer = await this.links.mqtt!.requestHistory(config.id, new Date(Math.min(...times)), new Date(Math.max(...times)), [meter.unitId]);
        const want = new Set(times);
        records = answer.records.filter((r) => r.unitId === meter.unitId && want.has(r.ts.getTime())).map((r) => ({ ts: r.ts, values: r.registers }));
        const got = new Set(records.map((r) => r.ts.getTime()));
        unavailable = wanted.filter((d) => !got.has(d.getTime()));
      } else {
        const map = this.terminal(config.id).profile.loadProfile;
        if (!map) throw new Error(`profile ${config.profile} has no load profile`);
        const transport = this.links.modbus.get(config.id)!;
        const span = await this.scheduler.submit({
          queue: this.links.queueOf.get(config.id)!,
          terminal: config.id,
          priority: 'backfill',
          label: `backfill unit ${meter.unitId}`,
          timeoutMs: Math.max(this.site.timeoutMs, wanted.length * 2000),
          run: (signal) => readHistory(transport, meter.unitId, map, wanted, signal),
        });
        records = span.records;
        unavailable = span.unavailable;
      }
      this.emit(records.map((r) => ({ pointId: point, ts: r.ts, source: 'backfill' as const, values: r.values })));
      const detail = `${records.length} records, ${unavailable.length} unavailable`;
      this.log({ ...base, ok: true, durationMs: performance.now() - started, detail });
      return { written: records.length, unavailable };
    } catch (e) {
      this.log({ ...base, ok: false, durationMs: performance.now() - started, error: (e as Error)?.message ?? String(e), errorKind: kindOf(e) });
      throw e;
    }
  }

  private wireMqtt(): void {
    const link = this.links.mqtt;
    if (!link) return;
    link.onSnapshot((s) => this.takeSnapshot(s));
    link.onInvalid((m) => this.log({ terminal: m.terminal, action: 'push', ok: false, durationMs: 0, error: `${m.topic}: ${m.error}`, errorKind: 'invalid-payload' }));
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
      if (e.kind === 'power-up') guarded(() => this.options.onTerminalBack?.(terminal, 'power-up event'));
    });
  }

  private takeSnapshot(s: Snapshot): void {
    const config = this.site.terminals.find((t) => t.id === s.terminal);
    if (!config) return;
    const rows: ReadingRow[] = [];
    for (const m of s.meters) {
      const meter = config.meters.find((x) => x.unitId === m.unitId);
      if (meter) rows.push({ pointId: meter.point, ts: s.ts, source: 'push', values: m.registers });
    }
    const h = this.health.get(s.terminal);
    if (h) Object.assign(h, { online: true, lastSuccess: new Date() });
    this.log({ terminal: s.terminal, action: 'push', ok: true, durationMs: 0, detail: `${rows.length} meters at ${s.ts.toISOString()}` });
    this.emit(rows);
  }

  /** The health/metrics snapshot. */
  healthSnapshot(): CollectorHealth {
    const cutoff = Date.now() - 60_000;
    while (this.recent.length && this.recent[0]! < cutoff) this.recent.shift();
    return {
      site: this.site.site,
      terminals: [...this.health.values()].map((h) => ({ ...h, ...(h.kind !== 'mqtt' ? { breaker: this.scheduler.breaker(h.id).state } : {}) })),
      queues: this.scheduler.depths(),
      spool: { pendingBytes: this.spool.pendingBytes, sizeBytes: this.spool.sizeBytes },
      writer: { ...this.writer.stats },
      readingsPerSecond: this.recent.length / 60,
      errors: { ...this.errors },
    };
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
