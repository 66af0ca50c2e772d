import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReadingWriter, Spool, SpoolFullError, type ReadingRow, type ReadingSink } from '../../collector/index.ts';

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'meterflow-spool-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const row = (n: number, point = 'p1'): ReadingRow => ({
  pointId: point,
  ts: new Date(1735689600_000 + n * 900_000),
  source: 'poll',
  values: [n, null, ...Array.from({ length: 18 }, (_, i) => i)],
});

describe('spool', () => {
  it('replays batches in order, exactly as written, and empties', async () => {
    const path = join(await tmp(), 'a.spool');
    const { spool } = await Spool.open(path);
    await spool.append([row(1), row(2)]);
    await spool.append([row(3)]);
    const got: ReadingRow[][] = [];
    expect(await spool.replay(async (rows) => void got.push(rows))).toBe(3);
    expect(got).toEqual([[row(1), row(2)], [row(3)]]);
    expect(spool.isEmpty).toBe(true);
    expect((await stat(path)).size).toBe(0);
    await spool.close();
  });

  it('stops at a failed delivery and resumes there, also after reopening', async () => {
    const path = join(await tmp(), 'b.spool');
    const { spool } = await Spool.open(path);
    for (let i = 1; i <= 3; i++) await spool.append([row(i)]);
    const got: number[] = [];
    await expect(
      spool.replay(async (rows) => {
        if (rows[0]!.values[0] === 2) throw new Error('db down');
        got.push(rows[0]!.values[0]!);
      }),
    ).rejects.toThrow('db down');
    await spool.close();
    const { spool: again } = await Spool.open(path);
    await again.replay(async (rows) => void got.push(rows[0]!.values[0]!));
    expect(got).toEqual([1, 2, 3]);
    await again.close();
  });

  it('is bounded: a full spool refuses with a clear error and alarms once', async () => {
    const path = join(await tmp(), 'c.spool');
    const alarms: SpoolFullError[] = [];
    const { spool } = await Spool.open(path, { maxBytes: 300, onFull: (e) => alarms.push(e) });
    await spool.append([row(1)]);
    await spool.append([row(2)]);
    const err = await spool.append([row(3), row(4), row(5)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpoolFullError);
    expect((err as Error).message).toMatch(/spool full: .*c\.spool/);
    await spool.append([row(6), row(7), row(8)]).catch(() => undefined);
    expect(alarms.length).toBe(1);
    await spool.close();
  });

  it('drops a torn last line and a corrupt one, keeping every complete batch', async () => {
    const path = join(await tmp(), 'd.spool');
    const { spool } = await Spool.open(path);
    await spool.append([row(1)]);
    await spool.append([row(2)]);
    await spool.close();
    const text = await readFile(path, 'utf8');
    await appendFile(path, text.slice(0, 40)); // a write cut short by kill -9
    const { spool: again, recovery } = await Spool.open(path);
    expect(recovery.tornBytes).toBe(40);
    const got: number[] = [];
    await again.replay(async (rows) => void got.push(rows[0]!.values[0]!));
    expect(got).toEqual([1, 2]);
    await again.append([row(3)]);
    await again.close();
    // Flip a byte inside a complete line: its CRC no longer matches, it is skipped and counted.
    const buf = await readFile(path);
    buf[20] = buf[20] === 0x31 ? 0x32 : 0x31;
    await (await import('node:fs/promises')).writeFile(path, buf);
    const { spool: third } = await Spool.open(path);
    await third.append([row(4)]);
    const after: number[] = [];
    await third.replay(async (rows) => void after.push(rows[0]!.values[0]!));
    expect(after).toEqual([4]);
    expect(third.corruptLines).toBe(1);
    await third.close();
  });

  it('survives kill -9 mid-append: every acknowledged batch replays, in order', async () => {
    const path = join(await tmp(), 'e.spool');
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/spool-writer.ts'), path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let acked = -1;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        const lines = d.toString().trim().split('\n');
        acked = Number(lines.at(-1));
        if (acked >= 30) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.once('exit', r));
    const { spool } = await Spool.open(path);
    const batches: number[] = [];
    await spool.replay(async (rows) => {
      expect(rows.length).toBe(50);
      batches.push(rows[0]!.values[0]! / 1000);
    });
    expect(batches.length).toBeGreaterThanOrEqual(acked + 1);
    expect(batches).toEqual(Array.from({ length: batches.length }, (_, i) => i));
    expect(spool.corruptLines).toBe(0);
    await spool.close();
  });
});

class FlakySink implements ReadingSink {
  up = true;
  rows: ReadingRow[] = [];
  async write(rows: readonly ReadingRow[]): Promise<void> {
    if (!this.up) throw new Error('database unreachable');
    this.rows.push(...rows);
  }
}

describe('reading writer', () => {
  it('writes through, spools while the sink is down, replays in order when it returns', async () => {
    const { spool } = await Spool.open(join(await tmp(), 'w.spool'));
    const sink = new FlakySink();
    const errors: unknown[] = [];
    const writer = new ReadingWriter(sink, spool, { batchSize: 2, retryMs: 20, onError: (e) => errors.push(e) });
    writer.write([row(1), row(2)]);
    await writer.flush();
    sink.up = false;
    writer.write([row(3), row(4)]);
    writer.write([row(5)]);
    await writer.flush();
    expect(writer.stats.spooled).toBe(3);
    expect(spool.isEmpty).toBe(false);
    writer.write([row(6)]); // queued behind the spool, not ahead of it
    await writer.flush();
    sink.up = true;
    await writer.drained();
    expect(sink.rows.map((r) => r.values[0])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(errors.length).toBeGreaterThan(0);
    await writer.close();
    await spool.close();
  });
});
