/** Options and openers shared by the commands. */
import { defaultDataDir, openDatabase, type Database } from '../../schema/index.ts';
import { sql } from 'kysely';
import type { OptionSpec } from '../command.ts';

/** `--data-dir` of the embedded database. */
export const dataDirOption: Record<string, OptionSpec> = {
  'data-dir': { type: 'string', description: 'data directory of the embedded database (ignored with DATABASE_URL)', default: 'MF_DATA_DIR or ./data' },
};

/** The data directory chosen by `--data-dir`, else the default. */
export function dataDirOf(o: Record<string, string | boolean | undefined>): string {
  const dir = o['data-dir'];
  return typeof dir === 'string' && dir !== dataDirOption['data-dir']!.default ? dir : defaultDataDir();
}

/** Open the database named by DATABASE_URL or the embedded one of `--data-dir`. */
export function openFromOptions(o: Record<string, string | boolean | undefined>): Promise<Database> {
  return openDatabase({ dataDir: dataDirOf(o) });
}

/** Open the database of the options, run `fn` with it, and close it however `fn` ends. */
export async function withDatabase<T>(o: Record<string, string | boolean | undefined>, fn: (h: Database) => Promise<T>): Promise<T> {
  const h = await openFromOptions(o);
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

/** What an id names in the archive: any of `object`, `point`, `terminal` (one lookup). */
export async function archiveKinds(h: Database, id: string): Promise<Set<string>> {
  const rows = await h.db.selectFrom('stat_object').select(sql<string>`'object'`.as('kind')).where('id', '=', id)
    .union(h.db.selectFrom('metering_point').select(sql<string>`'point'`.as('kind')).where('id', '=', id))
    .union(h.db.selectFrom('terminal').select(sql<string>`'terminal'`.as('kind')).where('id', '=', id))
    .execute();
  return new Set(rows.map((r) => r.kind));
}
