/**
 * `meterflow import archive|readings`: read a file, validate it at the edge, store it. An
 * archive applies all or nothing. A readings file with bad rows is refused whole unless
 * `skipInvalid`, which loads the good rows and writes the rejected ones with their reasons to
 * `<file>.rejects.csv`. Re-importing the same file changes nothing; a value that differs from
 * a stored one is refused, or stored as an audited correction with `correct`.
 */
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { withTransaction, type Database } from './database.ts';
import { parseArchive } from './archive.ts';
import { knownIds, storeArchive, type ArchiveImport } from './archive-store.ts';
import { InputError } from './located.ts';
import { parseReadingsCsv, rejectsCsv, type RejectedRow } from './readings-file.ts';
import { writeReadings, type WriteResult } from './readings.ts';
import { formatRegisterValue, registerIndex } from './registers.ts';

function readInput(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError([{ file, message: `cannot read: ${(e as Error).message}` }]);
  }
}

/** Validate and store an archive file (all or nothing). */
export async function importArchiveFile(handle: Database, file: string, actor = 'import'): Promise<ArchiveImport> {
  const archive = parseArchive(readInput(file), file, await knownIds(handle));
  return storeArchive(handle, archive, actor, file);
}

/** Options of a readings import. */
export interface ReadingsImportOptions {
  skipInvalid?: boolean;
  correct?: boolean;
  actor?: string;
  reason?: string;
  onProgress?: (done: number, total: number) => void;
}

/** What a readings import did. */
export interface ReadingsImportResult {
  values: number;
  snapshots: number;
  written: number;
  unchanged: number;
  corrected: number;
  rejected: number;
  rejectsFile?: string;
  /** Readings in settled months: kept as pending changes, applied when the month is reopened. */
  held: WriteResult['held'];
}

const BATCH = 5_000;

/** Validate and store a readings CSV in one transaction. */
export async function importReadingsFile(handle: Database, file: string, opts: ReadingsImportOptions = {}): Promise<ReadingsImportResult> {
  // Only the point ids: a readings file names nothing else.
  const ids = new Set((await handle.db.selectFrom('metering_point').select('id').execute()).map((r) => r.id));
  const parsed = parseReadingsCsv(readInput(file), file, (p) => ids.has(p));
  if (parsed.rejected.length > 0 && !opts.skipInvalid) throw new InputError(parsed.rejected);
  const rejected: RejectedRow[] = [...parsed.rejected];
  let written = 0, unchanged = 0, corrected = 0;
  const held: WriteResult['held'] = [];
  await withTransaction(handle, async (client) => {
    for (let i = 0; i < parsed.rows.length; i += BATCH) {
      const r = await writeReadings(handle, parsed.rows.slice(i, i + BATCH), {
        client,
        onConflict: opts.correct ? 'correct' : 'refuse',
        actor: opts.actor ?? 'import',
        reason: opts.reason ?? `import ${file}`,
      });
      written += r.written;
      unchanged += r.unchanged;
      corrected += r.corrected;
      held.push(...r.held);
      if (!opts.correct) {
        for (const c of r.conflicts) {
          const line = parsed.lines.get(`${c.pointId}|${c.ts.getTime()}|${registerIndex(c.register)}`) ?? 0;
          rejected.push({
            file, line, field: 'value', raw: '',
            message: `${c.register} of ${c.pointId} at ${c.ts.toISOString()} is stored as ${formatRegisterValue(c.stored)}, not ${formatRegisterValue(c.incoming)}; use --correct to store it as an audited correction`,
          });
        }
      }
      opts.onProgress?.(Math.min(i + BATCH, parsed.rows.length), parsed.rows.length);
    }
    // Conflicts refuse the whole file unless bad rows may be skipped: nothing is written.
    if (rejected.length > parsed.rejected.length && !opts.skipInvalid) {
      throw new InputError(rejected.slice(parsed.rejected.length).sort((a, b) => a.line - b.line));
    }
  });
  const rejectsFile = `${file}.rejects.csv`;
  if (rejected.length > 0) writeFileSync(rejectsFile, rejectsCsv(rejected.sort((a, b) => a.line - b.line)));
  else rmSync(rejectsFile, { force: true });
  return {
    values: parsed.valueCount, snapshots: parsed.rows.length, written, unchanged, corrected,
    rejected: rejected.length, ...(rejected.length > 0 ? { rejectsFile } : {}), held,
  };
}
