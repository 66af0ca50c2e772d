/** `meterflow demo`: what `npm start` runs on embedded defaults. */
import { databaseStatus, importArchiveFile, importReadingsFile } from '../../schema/index.ts';
import { EXIT, type Command } from '../command.ts';
import { dataDirOption, withDatabase } from './shared.ts';

const demoCmd: Command = {
  path: ['demo'],
  summary: 'Run the demo on embedded defaults: migrate, import the example archive and readings, report.',
  options: { ...dataDirOption },
  async run(_, o) {
    console.log('meterflow demo: opening the database (embedded PostgreSQL unless DATABASE_URL is set)…');
    return withDatabase(o, async (h) => {
    const counts = await importArchiveFile(h, 'examples/archive.yaml', 'demo');
    console.log(`archive: ${counts.points} metering points, ${counts.objects} statistical objects, ${counts.accounts} accounts`);
    const r = await importReadingsFile(h, 'examples/readings.csv', { actor: 'demo' });
    console.log(`readings: ${r.values} values, ${r.written} new snapshots, ${r.unchanged} already stored`);
    const s = await databaseStatus(h);
    console.log(`database: PostgreSQL ${s.version} at ${s.server}, ${s.storage === 'timescaledb' ? 'TimescaleDB hypertables' : 'native partitions'}`);
    for (const [table, n] of Object.entries(s.rows)) console.log(`  ${table.padEnd(16)} ${n}`);
    console.log('The embedded database keeps running for other meterflow processes; stop it with `npx meterflow db stop`.');
    return EXIT.ok;
    });
  },
};

/** The `demo` command. */
export const demoCommands: Command[] = [demoCmd];
