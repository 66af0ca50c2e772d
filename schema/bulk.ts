/**
 * Generic bulk upsert for derived tables: rows are staged with COPY (multi-row INSERT where
 * COPY is unavailable) into a temporary table shaped like the target, then merged with one
 * `INSERT … ON CONFLICT DO UPDATE`, which stamps a replaced row's `computed_at` anew.
 */
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A cell: text (as PostgreSQL reads it), a number, a Date or null. */
export type Cell = string | number | Date | null;

function copyCell(v: Cell): string {
  if (v === null) return '\\N';
  if (v instanceof Date) return v.toISOString();
  return String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
}

/**
 * Upsert `rows` (cells in `columns` order) into `table` on `key`, inside the client's open
 * transaction. Returns the number of rows staged.
 */
export async function bulkUpsert(client: pg.PoolClient, copy: boolean, table: string, columns: readonly string[], key: readonly string[], rows: readonly Cell[][]): Promise<number> {
  if (rows.length === 0) return 0;
  const stage = `mf_stage_${table}`;
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${stage} (LIKE ${table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
  await client.query(`TRUNCATE ${stage}`);
  if (copy) {
    const chunks = function* () {
      for (let i = 0; i < rows.length; i += 2000) yield rows.slice(i, i + 2000).map((r) => r.map(copyCell).join('\t')).join('\n') + '\n';
    };
    await pipeline(Readable.from(chunks()), client.query(copyFrom(`COPY ${stage} (${columns.join(', ')}) FROM STDIN`)));
  } else {
    const per = Math.max(1, Math.floor(2000 / columns.length));
    for (let i = 0; i < rows.length; i += per) {
      const part = rows.slice(i, i + per);
      const params: Cell[] = [];
      const tuples = part.map((r) => `(${r.map((v) => (params.push(v), `$${params.length}`)).join(',')})`);
      await client.query(`INSERT INTO ${stage} (${columns.join(', ')}) VALUES ${tuples.join(',')}`, params);
    }
  }
  // A replaced figure is a new computation: its stamp moves too (new rows take the default).
  const update = [...columns.filter((c) => !key.includes(c)).map((c) => `${c} = EXCLUDED.${c}`), 'computed_at = now()'].join(', ');
  await client.query(`INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM ${stage} ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${update}`);
  return rows.length;
}
