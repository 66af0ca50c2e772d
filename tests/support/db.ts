/**
 * Databases for tests: every database suite runs on each target — the embedded PostgreSQL and,
 * when it answers, the machine's PostgreSQL — each test file in fresh databases of its own.
 */
import { inject } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, importArchiveFile, openDatabase, type Database, type OpenOptions } from '../../schema/index.ts';

/** A server the database suites run against. */
export interface DbTarget {
  name: 'embedded' | 'local';
  /** URL of a database on that server we may create databases from. */
  adminUrl: string;
}

/** The servers to run database suites on. */
export function dbTargets(): DbTarget[] {
  const targets: DbTarget[] = [{ name: 'embedded', adminUrl: inject('embeddedUrl') }];
  const local = inject('localPgUrl');
  if (local) targets.push({ name: 'local', adminUrl: local });
  return targets;
}

/** Create an empty database on the target and return its URL. */
export function createTestDatabase(target: DbTarget): Promise<{ url: string; drop(): Promise<void> }> {
  return createDatabase(target.adminUrl, `mf_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`);
}

/** A fresh, migrated meterflow database on the target; `close` also drops it. */
export async function freshDatabase(target: DbTarget, opts: Omit<OpenOptions, 'url'> = {}): Promise<Database> {
  const created = await createTestDatabase(target);
  const handle = await openDatabase({ ...opts, url: created.url });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await created.drop();
    },
  };
}

/** Import archive YAML given as text, through a file as a user would (errors name `a.yaml`). */
export async function importArchiveText(h: Database, yaml: string): Promise<void> {
  const file = join(mkdtempSync(join(tmpdir(), 'mf-archive-')), 'a.yaml');
  writeFileSync(file, yaml);
  await importArchiveFile(h, file);
}

/** A fresh, migrated database on the target holding the archive `yaml` (imported as `a.yaml`); `close` also drops it. */
export async function archivedDatabase(target: DbTarget, yaml: string): Promise<Database> {
  const h = await freshDatabase(target);
  try {
    await importArchiveText(h, yaml);
  } catch (e) {
    await h.close(); // the database too: the test never gets the handle to close it
    throw e;
  }
  return h;
}

/**
 * A fresh database holding the example archive, with October 2026 of point F1 (Europe/Berlin)
 * settled as settleMonth leaves it: run #7 by billing-clerk, and its lock.
 */
export async function exampleWithF1OctoberSettled(target: DbTarget): Promise<Database> {
  const h = await freshDatabase(target);
  await importArchiveFile(h, 'examples/archive.yaml');
  await h.pool.query(`INSERT INTO settlement_run (id, month, version, state, actor) VALUES (7, '2026-10-01', 1, 'locked', 'billing-clerk')`);
  await h.pool.query(`INSERT INTO month_lock (month, point_id, run_id, period_start, period_end) VALUES ('2026-10-01', 'F1', 7, '2026-09-30T22:00Z', '2026-10-31T23:00Z')`);
  return h;
}
