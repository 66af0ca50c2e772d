/**
 * The reading writer: batches rows for the sink; when the sink fails, batches go to the
 * durable spool and are replayed in order once it answers again. While the spool holds
 * anything, new batches queue behind it, so rows always reach the sink in arrival order.
 */
import { sleep } from '../scheduler/index.ts';
import type { Spool } from '../spool/index.ts';
import type { ReadingRow, ReadingSink } from './types.ts';

/** Writer settings. */
export interface WriterOptions {
  /** Rows per batch (default 500). */
  batchSize?: number;
  /** Longest a row waits for its batch to fill, ms (default 1000). */
  flushMs?: number;
  /** Pause between replay attempts while the sink is down, ms (default 2000). */
  retryMs?: number;
  /** Told about sink failures and spool trouble (for the log and alarms). */
  onError?: (e: unknown) => void;
}

/** Counters for the health endpoint. */
export interface WriterStats {
  /** Rows the sink accepted directly. */
  written: number;
  /** Rows sent to the spool. */
  spooled: number;
  /** Rows replayed from the spool into the sink. */
  replayed: number;
  /** Rows lost because the spool was full. */
  dropped: number;
}

/** Batches rows into a {@link ReadingSink}, falling back to a {@link Spool}. */
export class ReadingWriter {
  private buffer: ReadingRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private replaying: Promise<void> | undefined;
  private closed = false;
  /** Counters. */
  readonly stats: WriterStats = { written: 0, spooled: 0, replayed: 0, dropped: 0 };

  /** Create a writer over `sink` and `spool`. */
  constructor(
    private readonly sink: ReadingSink,
    private readonly spool: Spool,
    private readonly options: WriterOptions = {},
  ) {
    if (!spool.isEmpty) this.startReplay();
  }

  /** Queue rows; they are flushed when a batch fills or after `flushMs`. */
  write(rows: readonly ReadingRow[]): void {
    if (this.closed) throw new Error('writer closed');
    this.buffer.push(...rows);
    if (this.buffer.length >= (this.options.batchSize ?? 500)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs ?? 1000);
  }

  /** Write what is buffered now; resolves when it is in the sink or the spool. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return this.chain;
    this.chain = this.chain.then(() => this.store(batch));
    return this.chain;
  }

  private async store(batch: ReadingRow[]): Promise<void> {
    if (this.spool.isEmpty && !this.replaying) {
      try {
        await this.sink.write(batch);
        this.stats.written += batch.length;
        return;
      } catch (e) {
        this.options.onError?.(e);
      }
    }
    try {
      await this.spool.append(batch);
      this.stats.spooled += batch.length;
    } catch (e) {
      this.stats.dropped += batch.length;
      this.options.onError?.(e);
    }
    this.startReplay();
  }

  private startReplay(): void {
    if (this.replaying || this.closed) return;
    this.replaying = (async () => {
      while (!this.closed && !this.spool.isEmpty) {
        try {
          this.stats.replayed += await this.spool.replay(async (rows) => this.sink.write(rows));
        } catch (e) {
          this.options.onError?.(e);
          await sleep(this.options.retryMs ?? 2000);
        }
      }
    })().finally(() => {
      this.replaying = undefined;
    });
  }

  /** Resolves when the spool is empty (all replayed) — for tests and graceful shutdown. */
  async drained(): Promise<void> {
    await this.flush();
    while (this.replaying) await this.replaying;
  }

  /** Flush the buffer (to the sink or the spool) and stop replaying; the spool keeps the rest. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}
