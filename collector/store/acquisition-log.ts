/**
 * The acquisition log in the database: entries are buffered and inserted in batches into
 * `acquisition_log`. While the database is away the buffer holds them (bounded: the oldest are
 * dropped and counted), so logging never blocks or fails acquisition.
 */
import { ensurePartitions, type Database } from '../../schema/index.ts';
import type { AcquisitionLogEntry } from '../daemon/index.ts';

/** The `result` column of acquisition_log. */
export type AcquisitionResult = 'ok' | 'error' | 'timeout' | 'exception' | 'bad-frame' | 'rejected';

/** Map an entry's error kind to the table's result. */
export function resultOf(e: Pick<AcquisitionLogEntry, 'ok' | 'errorKind'>): AcquisitionResult {
  if (e.ok) return 'ok';
  switch (e.errorKind) {
    case 'timeout':
      return 'timeout';
    case 'exception':
      return 'exception';
    case 'frame':
      return 'bad-frame';
    case 'invalid-payload':
    case 'conflict':
    case 'refused':
      return 'rejected';
    default:
      return 'error';
  }
}

/** Settings of the log store. */
export interface AcquisitionLogOptions {
  /** Entries per insert (default 500). */
  batchSize?: number;
  /** Longest an entry waits, ms (default 1000). */
  flushMs?: number;
  /** Entries kept while the database is away (default 100 000); older ones are dropped. */
  maxBuffered?: number;
}

/** Counters of the log store. */
export interface AcquisitionLogStats {
  /** Rows inserted. */
  written: number;
  /** Entries dropped because the buffer was full while the database was away. */
  dropped: number;
  /** Failed insert attempts. */
  failures: number;
}

/** Batched writer of acquisition-log rows. */
export class AcquisitionLogStore {
  private buffer: AcquisitionLogEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** Counters. */
  readonly stats: AcquisitionLogStats = { written: 0, dropped: 0, failures: 0 };

  /** Log into `handle`. */
  constructor(
    private readonly handle: Database,
    private readonly options: AcquisitionLogOptions = {},
  ) {}

  /** Queue one entry (never throws). */
  record(e: AcquisitionLogEntry): void {
    this.buffer.push(e);
    this.bound();
    if (this.buffer.length >= (this.options.batchSize ?? 500)) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.flushMs ?? 1000);
      this.timer.unref?.();
    }
  }

  /** Insert what is buffered; on failure the entries stay buffered for the next flush. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.chain = this.chain.then(() => this.insertAll());
    return this.chain;
  }

  /** Drop the oldest entries beyond `maxBuffered` (the database is away too long). */
  private bound(): void {
    const over = this.buffer.length - (this.options.maxBuffered ?? 100_000);
    if (over > 0) (this.stats.dropped += over), this.buffer.splice(0, over);
  }

  private async insertAll(): Promise<void> {
    while (this.buffer.length > 0) {
      // Taken out while in flight, so entries dropped or added meanwhile cannot shift it.
      const batch = this.buffer.splice(0, this.options.batchSize ?? 500);
      try {
        await this.insert(batch);
      } catch {
        this.buffer.unshift(...batch);
        this.bound();
        this.stats.failures++;
        if (!this.timer) {
          this.timer = setTimeout(() => void this.flush(), (this.options.flushMs ?? 1000) * 2);
          this.timer.unref?.();
        }
        return;
      }
      this.stats.written += batch.length;
    }
  }

  private async insert(batch: AcquisitionLogEntry[]): Promise<void> {
    const times = batch.map((e) => e.at.getTime());
    await ensurePartitions(this.handle.db, 'acquisition_log', new Date(Math.min(...times)), new Date(Math.max(...times)));
    await this.handle.db
      .insertInto('acquisition_log')
      .values(
        batch.map((e) => ({
          ts: e.at,
          terminal_id: e.terminal,
          unit_id: e.unitId ?? null,
          what: e.action,
          result: resultOf(e),
          duration_ms: Math.round(e.durationMs),
          error: e.error ?? null,
          detail: JSON.stringify({
            ...(e.point ? { point: e.point } : {}),
            ...(e.detail ? { detail: e.detail } : {}),
            ...(e.errorKind ? { errorKind: e.errorKind } : {}),
            ...(e.retried ? { retried: true } : {}),
            ...(e.data ?? {}),
          }),
        })),
      )
      .execute();
  }

  /** Flush and stop the timer (entries that cannot be written now are lost). */
  async close(): Promise<void> {
    await this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
