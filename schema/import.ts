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
import { parseReadingsCsv, rejectsCsv, type InstalledMeter, type RejectedRow } from './readings-file.ts';
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

/**
 * The meter installed at a point at an instant; at a meter change (the old meter's removal is
 * the new one's installation) the one whose registers go higher, since the row may be either's.
 */
function meterAt(rows: readonly { point_id: string; meter_id: string; installed_at: Date; removed_at: Date | null; capacity: string | number }[]) {
  const byPoint = new Map<string, typeof rows[number][]>();
  for (const r of rows) byPoint.set(r.point_id, [...(byPoint.get(r.point_id) ?? []), r]);
  return (pointId: string, ms: number): InstalledMeter | undefined => {
    let best: InstalledMeter | undefined;
    for (const r of byPoint.get(pointId) ?? []) {
      if (r.installed_at.getTime() > ms || (r.removed_at && r.removed_at.getTime() < ms)) continue;
      const capacity = Number(r.capacity);
      if (!best || capacity > best.capacity) best = { meterId: r.meter_id, capacity };
    }
    return best;
  };
}

/** Validate and store a readings CSV in one transaction. */
export async function importReadingsFile(handle: Database, file: string, opts: ReadingsImportOptions = {}): Promise<ReadingsImportResult> {
  // A readings file names only points; their meters' capacities bound the values.
  const [points, installed] = await Promise.all([
    handle.db.selectFrom('metering_point').select('id').execute(),
    handle.db.selectFrom('installation as i').innerJoin('meter as m', 'm.id', 'i.meter_id')
      .select(['i.point_id', 'i.meter_id', 'i.installed_at', 'i.removed_at', 'm.capacity']).execute(),
  ]);
  const ids = new Set(points.map((r) => r.id));
  const text = readInput(file);
  const parsed = parseReadingsCsv(text, file, (p) => ids.has(p), meterAt(installed));
  const fileLines = text.split(/\r?\n/);
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
          const raw = fileLines[line - 1] ?? '';
          rejected.push({
            file, line, field: 'value', raw,
            message: `${c.register} of ${c.pointId} at ${parsed.times.get(`${c.pointId}|${c.ts.getTime()}`) ?? c.ts.toISOString()} is stored as ${formatRegisterValue(c.stored)}, not ${formatRegisterValue(c.incoming)}; use --correct to store it as an audited correction`,
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
