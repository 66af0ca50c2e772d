import { afterAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ensureEmbedded, stopEmbedded } from '../../schema/index.ts';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'meterflow-embedded-'));
const serverPid = () => Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function query(url: string, text: string): Promise<unknown[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

describe('the embedded PostgreSQL', () => {
  afterAll(async () => {
    await stopEmbedded(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is shared by processes started together: one server, both succeed', async () => {
    const cli = () => run('node', ['cli/bin.js', 'db', 'status', '--json', '--data-dir', dataDir], { env: { ...process.env, DATABASE_URL: '' } });
    const [a, b] = await Promise.all([cli(), cli()]);
    const sa = JSON.parse(a.stdout), sb = JSON.parse(b.stdout);
    expect(sa.server).toBe(sb.server);
    expect(sa.version).toMatch(/^17\./);
    expect(sa.migrations.every((m: { applied: boolean }) => m.applied)).toBe(true);
  });

  it('outlives a kill -9 of the process that started it, and the next start reuses it', async () => {
    await stopEmbedded(dataDir);
    const child = spawn('node', ['--import', 'tsx', 'tests/support/hold-embedded.ts', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((res) => child.stdout.once('data', (d) => res(String(d))));
    expect(JSON.parse(line).started).toBe(true);
    const pid = serverPid();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const again = await ensureEmbedded(dataDir);
    expect(again.started).toBe(false);
    expect(serverPid()).toBe(pid);
    await query(again.url, 'CREATE TABLE survivor (x int); INSERT INTO survivor VALUES (42)');
  });

  it('recovers after the server itself was killed -9 (stale postmaster.pid)', async () => {
    const pid = serverPid();
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
    // Children of a killed postmaster linger briefly; the next start must neither hang nor lose data.
    const s = await ensureEmbedded(dataDir);
    expect(s.started).toBe(true);
    expect(await query(s.url, 'SELECT x FROM survivor')).toEqual([{ x: 42 }]);
  });

  it('clears a start lock left by a dead process instead of waiting on it', async () => {
    await stopEmbedded(dataDir);
    writeFileSync(join(dataDir, 'embedded.lock'), '999999');
    const s = await ensureEmbedded(dataDir);
    expect(s.started).toBe(true);
  });

  // Run as root, this suite proves the root path (a dedicated OS user owns the cluster); this test
  // proves the ordinary-user path. Run as an ordinary user, the whole suite already does.
  it.runIf(process.getuid?.() === 0)('runs as an ordinary user too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meterflow-user-'));
    await run('chown', ['nobody', dir]);
    try {
      const as = (...args: string[]) => run('runuser', ['-u', 'nobody', '--', 'node', 'cli/bin.js', ...args, '--data-dir', dir], { env: { ...process.env, DATABASE_URL: '' } });
      const { stdout } = await as('db', 'status');
      expect(stdout).toContain('native range partitions');
      const pid = Number(readFileSync(join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      const owner = (await run('ps', ['-o', 'user=', '-p', String(pid)])).stdout.trim();
      expect(owner).toBe('nobody');
      await as('db', 'stop');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops with `meterflow db stop`', async () => {
    const pid = serverPid();
    const { stdout } = await run('node', ['cli/bin.js', 'db', 'stop', '--data-dir', dataDir]);
    expect(stdout).toContain('stopped');
    expect(alive(pid)).toBe(false);
  });
});
