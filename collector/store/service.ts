/**
 * The collector wired to the database: the daemon writing through {@link DatabaseSink}, the
 * acquisition log into `acquisition_log`, and {@link AutoBackfill} fed by the database's
 * missing intervals, triggered when a terminal comes back and swept periodically. This is what
 * `meterflow collector run` starts.
 */
import type { Database, ReadingConflict } from '../../schema/index.ts';
import { AutoBackfill } from '../backfill/index.ts';
import { runDaemon, type AcquisitionLogEntry, type Collector, type CollectorClock, type Daemon } from '../daemon/index.ts';
import { AcquisitionLogStore } from './acquisition-log.ts';
import { DatabaseGaps } from './gaps.ts';
import { DatabaseSink } from './sink.ts';
import { ClockDriftCheck } from './clock-drift.ts';
import { DEFAULT_CLOCK_DRIFT_LIMITS } from '../../calc-engine/index.ts';

/** How to run the collector service. */
export interface CollectorServiceOptions {
  /** The open database. */
  handle: Database;
  /** Path of site.yaml. */
  configPath: string;
  /** Health endpoint port (omit for none, 0 for any). */
  healthPort?: number;
  /** Handle SIGHUP (reload) and SIGINT/SIGTERM (graceful stop) and watch the file (default true). */
  signals?: boolean;
  /** Every acquisition-log entry, e.g. to print it as a JSON line. */
  onLog?: (e: AcquisitionLogEntry) => void;
  /** Reloads, refused configs, backfill failures. */
  onNotice?: (message: string) => void;
  /** The collector's clock (test rigs run it accelerated). */
  clock?: CollectorClock;
}

/** A running collector service. */
export interface CollectorService {
  /** The daemon (current collector, health, reload). */
  daemon: Daemon;
  /** Automatic backfill. */
  backfill: AutoBackfill;
  /** The reading sink (counters). */
  sink: DatabaseSink;
  /** The acquisition-log writer (counters). */
  log: AcquisitionLogStore;
  /** Resolves once the service stopped (by `stop` or a signal). */
  closed: Promise<void>;
  /** Stop gracefully: backfill ends, batches are flushed or spooled, the log is written. */
  stop(): Promise<void>;
}

function conflictEntries(conflicts: readonly ReadingConflict[], collector: Collector): Omit<AcquisitionLogEntry, 'at'>[] {
  const byRow = new Map<string, ReadingConflict[]>();
  for (const c of conflicts) {
    const key = `${c.pointId}\u0000${c.ts.toISOString()}`;
    byRow.set(key, [...(byRow.get(key) ?? []), c]);
  }
  return [...byRow.values()].map((cs) => {
    const { pointId, ts } = cs[0]!;
    const terminal = collector.site.terminals.find((t) => t.meters.some((m) => m.point === pointId));
    const unitId = terminal?.meters.find((m) => m.point === pointId)?.unitId;
    return {
      terminal: terminal?.id ?? '*',
      ...(unitId !== undefined ? { unitId } : {}),
      point: pointId,
      action: 'write' as const,
      ok: false,
      durationMs: 0,
      errorKind: 'conflict',
      error: `point ${pointId} at ${ts.toISOString()}: ${cs.map((c) => `${c.register} stored ${c.stored}, new ${c.incoming}`).join('; ')}; the stored values stay (refused; correct them with an audited register correction if the new ones are right)`,
      data: { conflicts: cs.map((c) => ({ register: c.register, stored: c.stored, incoming: c.incoming })) },
    };
  });
}

/** Start the collector service on `options.handle`. */
export async function runCollectorService(options: CollectorServiceOptions): Promise<CollectorService> {
  const { handle } = options;
  const log = new AcquisitionLogStore(handle);
  let current: Collector | undefined;
  const driftLimits = () => ({ maxDriftSeconds: current?.site.clockDriftSeconds ?? DEFAULT_CLOCK_DRIFT_LIMITS.maxDriftSeconds });
  const drift = new ClockDriftCheck(handle, driftLimits, (e) => options.onNotice?.(`clock-drift alarm not written: ${(e as Error).message}`));
  const record = (e: AcquisitionLogEntry): void => {
    log.record(e);
    drift.observe(e);
    options.onLog?.(e);
  };
  const sink = new DatabaseSink(handle, {
    onConflict: (cs) => {
      if (current) for (const e of conflictEntries(cs, current)) current.report(e);
    },
    onRefused: (row, reason) => record({ at: new Date(), terminal: '*', point: row.pointId, action: 'write', ok: false, durationMs: 0, errorKind: 'refused', error: reason }),
  });
  const backfill = new AutoBackfill({
    gaps: new DatabaseGaps(handle),
    collector: () => current!,
    onError: (terminal, e) => options.onNotice?.(`backfill of terminal ${terminal} failed, retried on the next trigger or sweep: ${(e as Error)?.message ?? String(e)}`),
  });
  const daemon = await runDaemon({
    configPath: options.configPath,
    sink,
    onLog: record,
    onTerminalBack: (terminal, why) => backfill.trigger(terminal, why),
    onStarted: (c) => {
      current = c;
    },
    exitOnSignal: false,
    ...(options.healthPort !== undefined ? { healthPort: options.healthPort } : {}),
    ...(options.signals !== undefined ? { signals: options.signals } : {}),
    ...(options.onNotice ? { onNotice: options.onNotice } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  backfill.start();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await backfill.stop();
      await daemon.stop();
      await drift.idle();
      await log.close();
    })());
  const closed = daemon.closed.then(() => stop());
  return { daemon, backfill, sink, log, closed, stop };
}
