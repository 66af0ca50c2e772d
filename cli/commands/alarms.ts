/** `meterflow alarms`: list alarms, acknowledge one. */
import { RULE_NAMES, SEVERITIES } from '../../calc-engine/index.ts';
import { acknowledgeAlarm, exportRows, toCsv, EXPORT_COLUMNS } from '../../calc-engine/store/index.ts';
import { EXIT, UsageError, type Command } from '../command.ts';
import { dataDirOption, withDatabase } from './shared.ts';

const alarmsCmd: Command = {
  path: ['alarms'],
  summary: 'List alarms (open and acknowledged by default), or acknowledge one with --ack.',
  options: {
    ...dataDirOption,
    all: { type: 'boolean', description: 'include cleared alarms', default: false },
    object: { type: 'string', description: 'only alarms of this point or object' },
    rule: { type: 'string', description: `only alarms of this rule (${RULE_NAMES.join(', ')})` },
    severity: { type: 'string', description: `only alarms of this severity or worse (${SEVERITIES.join(', ')})` },
    ack: { type: 'string', description: 'acknowledge the open alarm with this id' },
    by: { type: 'string', description: 'who acknowledges (required with --ack)' },
    format: { type: 'string', description: 'table, csv or json', default: 'table' },
  },
  async run(_, o) {
    const rule = typeof o.rule === 'string' ? o.rule : undefined;
    if (rule !== undefined && !(RULE_NAMES as readonly string[]).includes(rule)) throw new UsageError(`--rule ${rule}: no such rule; one of ${RULE_NAMES.join(', ')}`);
    if (!['table', 'csv', 'json'].includes(String(o.format))) throw new UsageError(`--format must be table, csv or json, not '${String(o.format)}'`);
    const least = typeof o.severity === 'string' ? SEVERITIES.indexOf(o.severity as never) : 0;
    if (least < 0) throw new UsageError(`--severity ${String(o.severity)}: one of ${SEVERITIES.join(', ')}`);
    return withDatabase(o, async (h) => {
    if (typeof o.ack === 'string') {
      if (typeof o.by !== 'string') throw new UsageError('--ack needs --by <name>: acknowledgements are audited');
      if (!(await acknowledgeAlarm(h, o.ack, o.by))) {
        console.error(`no open alarm with id ${o.ack}; list them with \`meterflow alarms\``);
        return EXIT.failed;
      }
      console.log(`alarm ${o.ack} acknowledged by ${o.by}`);
      return EXIT.ok;
    }
    const rows = (await exportRows(h, { kind: 'alarms', from: new Date(0), to: new Date(8.64e15), ...(typeof o.object === 'string' ? { object: o.object } : {}) }))
      .filter((r) => (o.all || r.state !== 'cleared') && (rule === undefined || r.rule === rule) && SEVERITIES.indexOf(r.severity as never) >= least);
    if (o.format === 'json') console.log(JSON.stringify(rows, null, 2));
    else if (o.format === 'csv') process.stdout.write(toCsv(rows, EXPORT_COLUMNS.alarms));
    else {
      if (rows.length === 0) console.log('no alarms');
      for (const r of rows) console.log(`${String(r.id).padStart(5)}  ${String(r.state).padEnd(12)} ${String(r.severity).padEnd(8)} ${String(r.period_start).slice(0, 16)}  ${r.message}`);
    }
    return EXIT.ok;
    });
  },
};

/** The `alarms` command. */
export const alarmCommands: Command[] = [alarmsCmd];
