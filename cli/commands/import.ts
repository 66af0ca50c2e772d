/** `meterflow import archive|readings`. */
import { importArchiveFile, importReadingsFile, MonthLockedError } from '../../schema/index.ts';
import { EXIT, UsageError, type Command } from '../command.ts';
import { progress } from '../progress.ts';
import { dataDirOption, withDatabase } from './shared.ts';

const archiveCmd: Command = {
  path: ['import', 'archive'],
  args: '<file.yaml>',
  summary: 'Validate and store an archive (substations … accounts); all or nothing, idempotent.',
  options: { ...dataDirOption, actor: { type: 'string', description: 'who imports, for the audit log', default: 'import' } },
  async run([file], o) {
    if (!file) throw new UsageError('missing <file.yaml>');
    return withDatabase(o, async (h) => {
    const { counts, ratioEdits } = await importArchiveFile(h, file, o.actor as string);
    const parts = Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
    console.log(`imported ${file}: ${parts.join(', ') || 'nothing'}`);
    for (const e of ratioEdits) {
      console.error(`warning: ${file}: point ${e.point}'s ${e.field} is now ${e.to}, was ${e.from}, over its whole history${e.to === '1' ? ` (a point without ${e.field} has 1)` : ''}: every figure of it is recomputed; a transformer changed on a date is a ratioChanges entry instead`);
    }
    return EXIT.ok;
    });
  },
};

const readingsCmd: Command = {
  path: ['import', 'readings'],
  args: '<file.csv>',
  summary: 'Store register readings from a CSV with columns point,ts,register,value (ts ISO 8601 with offset).',
  options: {
    ...dataDirOption,
    'skip-invalid': { type: 'boolean', description: 'load the good rows; write the rejected ones to <file>.rejects.csv', default: false },
    correct: { type: 'boolean', description: 'store values that differ from stored ones as audited corrections', default: false },
    actor: { type: 'string', description: 'who imports, for the audit log', default: 'import' },
    reason: { type: 'string', description: 'why (recorded with corrections)' },
  },
  async run([file], o) {
    if (!file) throw new UsageError('missing <file.csv>');
    const bar = progress(`import ${file}`);
    return withDatabase(o, async (h) => {
      const r = await importReadingsFile(h, file, {
        skipInvalid: o['skip-invalid'] === true,
        correct: o.correct === true,
        actor: o.actor as string,
        ...(typeof o.reason === 'string' ? { reason: o.reason } : {}),
        onProgress: (done, total) => bar.update(done, total),
      });
      bar.done();
      const held = r.held.reduce((n, x) => n + x.rows, 0);
      console.log(`imported ${file}: ${r.values} values in ${r.snapshots} snapshots; snapshots ${r.written} written, ${r.unchanged} unchanged${held > 0 ? `, ${held} held for a settled month` : ''}; values ${r.corrected} corrected, ${r.rejected} rejected`);
      if (r.rejectsFile) console.log(`rejected rows and reasons: ${r.rejectsFile}`);
      for (const held of r.held) console.error(new MonthLockedError(held.lock, held.pendingId, `: ${held.rows} readings of this file fall in it`).message);
      // Rows refused and nothing stored (a wrong file, a wrong header, every value in conflict) is
      // bad input even when bad rows may be skipped.
      if (r.rejected > 0 && r.written + r.corrected === 0 && r.held.length === 0) return EXIT.usage;
      return r.held.length > 0 ? EXIT.failed : EXIT.ok;
    });
  },
};

/** The `import` commands. */
export const importCommands: Command[] = [archiveCmd, readingsCmd];
