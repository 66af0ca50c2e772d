/** `meterflow db migrate|status|stop`. */
import { databaseStatus, migrate, openDatabase, stopEmbedded } from '../../schema/index.ts';
import { EXIT, type Command } from '../command.ts';
import { dataDirOf, dataDirOption, withDatabase } from './shared.ts';

const migrateCmd: Command = {
  path: ['db', 'migrate'],
  summary: 'Apply pending migrations (the embedded server is started when no DATABASE_URL is set).',
  options: { ...dataDirOption },
  async run(_, o) {
    const h = await openDatabase({ dataDir: dataDirOf(o), migrate: false });
    try {
      const applied = await migrate(h);
      console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'up to date');
      return EXIT.ok;
    } finally {
      await h.close();
    }
  },
};

const statusCmd: Command = {
  path: ['db', 'status'],
  summary: 'Show the server, its version, TimescaleDB or partitions, migrations and row counts.',
  options: { ...dataDirOption, json: { type: 'boolean', description: 'print JSON', default: false } },
  async run(_, o) {
    return withDatabase(o, async (h) => {
    const s = await databaseStatus(h);
    if (o.json) {
      console.log(JSON.stringify(s, null, 2));
      return EXIT.ok;
    }
    console.log(`server      ${s.server}`);
    console.log(`version     PostgreSQL ${s.version}`);
    console.log(`storage     ${s.storage === 'timescaledb' ? `TimescaleDB ${s.timescaledb} hypertables, compressed by point` : 'native range partitions (no TimescaleDB)'}`);
    console.log(`migrations  ${s.migrations.filter((m) => m.applied).length}/${s.migrations.length} applied`);
    for (const [table, n] of Object.entries(s.rows)) console.log(`  ${table.padEnd(16)} ${n}`);
    return EXIT.ok;
    });
  },
};

const stopCmd: Command = {
  path: ['db', 'stop'],
  summary: 'Stop the embedded PostgreSQL of the data directory.',
  options: { ...dataDirOption },
  async run(_, o) {
    const dir = dataDirOf(o);
    console.log((await stopEmbedded(dir)) ? `stopped the embedded database in ${dir}` : `no embedded database runs in ${dir}`);
    return EXIT.ok;
  },
};

/** The `db` commands. */
export const dbCommands: Command[] = [migrateCmd, statusCmd, stopCmd];
