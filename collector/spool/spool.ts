/**
 * The durable on-disk spool: an append-only file of fsync'd lines, each `<crc32> <json>\n`,
 * bounded in size, replayed in order. A `kill -9` mid-append leaves at most a torn last line,
 * which is detected (no newline, or a CRC mismatch) and dropped; replay progress is kept in a
 * side file so a crash mid-replay repeats at most one batch (the sink is idempotent).
 */
import { mkdir, open, readFile, rename, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import type { ReadingRow } from '../sink/types.ts';

/** Raised (and alarmed) when an append would exceed the spool's bound. */
export class SpoolFullError extends Error {
  /** Build for the spool at `path`. */
  constructor(readonly path: string, readonly sizeBytes: number, readonly maxBytes: number) {
    super(`spool full: ${path} holds ${sizeBytes} of ${maxBytes} bytes; readings are not being stored`);
    this.name = 'SpoolFullError';
  }
}

/** Spool settings. */
export interface SpoolOptions {
  /** Largest file size, bytes (default 256 MiB). */
  maxBytes?: number;
  /** Called once each time the spool becomes full (and again after it drained). */
  onFull?: (e: SpoolFullError) => void;
}

/** What opening found. */
export interface SpoolRecovery {
  /** Bytes of a torn last line that were dropped. */
  tornBytes: number;
}

interface WireRow {
  p: string;
  t: number;
  s: ReadingRow['source'];
  v: (number | null)[];
  i?: ReadingRow['instant'];
}

function encode(rows: readonly ReadingRow[]): Buffer {
  const json = JSON.stringify(rows.map((r): WireRow => ({ p: r.pointId, t: r.ts.getTime(), s: r.source, v: r.values, ...(r.instant ? { i: r.instant } : {}) })));
  const body = Buffer.from(json, 'utf8');
  return Buffer.concat([Buffer.from(crc32(body).toString(16).padStart(8, '0') + ' '), body, Buffer.from('\n')]);
}

function decode(line: Buffer): ReadingRow[] | undefined {
  if (line.length < 10 || line[8] !== 0x20) return undefined;
  const body = line.subarray(9);
  if (crc32(body).toString(16).padStart(8, '0') !== line.subarray(0, 8).toString()) return undefined;
  const wire = JSON.parse(body.toString('utf8')) as WireRow[];
  return wire.map((w) => ({ pointId: w.p, ts: new Date(w.t), source: w.s, values: w.v, ...(w.i ? { instant: w.i } : {}) }));
}

/** An append-only, fsync'd, bounded spool of reading batches. */
export class Spool {
  private chain: Promise<unknown> = Promise.resolve();
  private full = false;
  /** Lines skipped during replay because their CRC did not match (should stay 0). */
  corruptLines = 0;

  private constructor(
    readonly path: string,
    private handle: FileHandle,
    private size: number,
    private offset: number,
    private readonly options: SpoolOptions,
  ) {}

  /** Open (creating) the spool at `path`, dropping a torn last line. */
  static async open(path: string, options: SpoolOptions = {}): Promise<{ spool: Spool; recovery: SpoolRecovery }> {
    // A fresh install has no data directory yet.
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'a+');
    let size = (await handle.stat()).size;
    const keep = await lastNewlineEnd(handle, size);
    const tornBytes = size - keep;
    if (tornBytes > 0) {
      await truncate(path, keep);
      await handle.sync();
      size = keep;
    }
    let offset = 0;
    try {
      offset = Number((await readFile(`${path}.offset`, 'utf8')).trim()) || 0;
    } catch {
      offset = 0;
    }
    if (offset > size) offset = 0;
    return { spool: new Spool(path, handle, size, offset, options), recovery: { tornBytes } };
  }

  /** Bytes in the file (replayed or not). */
  get sizeBytes(): number {
    return this.size;
  }

  /** Bytes not yet replayed. */
  get pendingBytes(): number {
    return this.size - this.offset;
  }

  /** Whether anything waits for replay. */
  get isEmpty(): boolean {
    return this.pendingBytes === 0;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.chain.then(task, task);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Append one batch durably (written and fsync'd before it resolves). Rejects with {@link SpoolFullError}. */
  append(rows: readonly ReadingRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.serial(async () => {
      const line = encode(rows);
      const max = this.options.maxBytes ?? 256 * 1024 * 1024;
      if (this.size + line.length > max) {
        const e = new SpoolFullError(this.path, this.size, max);
        if (!this.full) this.options.onFull?.(e);
        this.full = true;
        throw e;
      }
      await this.handle.write(line, 0, line.length, null);
      await this.handle.sync();
      this.size += line.length;
    });
  }

  /**
   * Hand every pending batch, oldest first, to `deliver`; progress is recorded after each
   * delivered batch. Stops (rejecting with the delivery's error) at the first failure. When all
   * is delivered the file is truncated. Returns the number of rows delivered.
   */
  replay(deliver: (rows: ReadingRow[]) => Promise<void>): Promise<number> {
    return this.serial(async () => {
      let delivered = 0;
      if (this.offset < this.size) {
        const length = this.size - this.offset;
        const buf = Buffer.alloc(length);
        await this.handle.read(buf, 0, length, this.offset);
        let start = 0;
        while (start < buf.length) {
          const nl = buf.indexOf(0x0a, start);
          if (nl < 0) break;
          let rows: ReadingRow[] | undefined;
          try {
            rows = decode(buf.subarray(start, nl));
          } catch {
            rows = undefined;
          }
          if (rows) {
            await deliver(rows);
            delivered += rows.length;
          } else this.corruptLines++;
          start = nl + 1;
          await this.saveOffset(this.offset + start);
        }
      }
      if (this.offset >= this.size && this.size > 0) {
        await this.handle.truncate(0);
        await this.handle.sync();
        this.size = 0;
        await this.saveOffset(0);
        this.full = false;
      }
      return delivered;
    });
  }

  private async saveOffset(offset: number): Promise<void> {
    this.offset = offset;
    const tmp = `${this.path}.offset.tmp`;
    await writeFile(tmp, String(offset), { flush: true });
    await rename(tmp, `${this.path}.offset`);
  }

  /** Close the file. */
  async close(): Promise<void> {
    await this.serial(() => this.handle.close());
  }
}

async function lastNewlineEnd(handle: FileHandle, size: number): Promise<number> {
  const chunk = 64 * 1024;
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk);
    const buf = Buffer.alloc(end - start);
    await handle.read(buf, 0, buf.length, start);
    const i = buf.lastIndexOf(0x0a);
    if (i >= 0) return start + i + 1;
    end = start;
  }
  return 0;
}
