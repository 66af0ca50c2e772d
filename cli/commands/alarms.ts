/** `meterflow alarms`: list alarms, acknowledge one. */
import { RULE_NAMES, SEVERITIES, type RuleName, type Severity } from '../../calc-engine/index.ts';
import { acknowledgeAlarm, listAlarms, toCsv, unacknowledgeable, EXPORT_COLUMNS } from '../../calc-engine/store/index.ts';
import { EXIT, UsageError, type Command } from '../command.ts';
import { archiveKinds, dataDirOption, withDatabase } from './shared.ts';

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
    const severity = typeof o.severity === 'string' ? o.severity : undefined;
    if (severity !== undefined && !(SEVERITIES as readonly string[]).includes(severity)) throw new UsageError(`--severity ${severity}: one of ${SEVERITIES.join(', ')}`);
    if (!['table', 'csv', 'json'].includes(String(o.format))) throw new UsageError(`--format must be table, csv or json, not '${String(o.format)}'`);
    if (typeof o.by === 'string' && typeof o.ack !== 'string') throw new UsageError('--by names who acknowledges: give the alarm with --ack <id>');
    return withDatabase(o, async (h) => {
    if (typeof o.ack === 'string') {
      if (!/^\d+$/.test(o.ack)) throw new UsageError(`--ack ${o.ack}: an alarm id is a number (the first column of \`meterflow alarms\`)`);
      if (typeof o.by !== 'string') throw new UsageError('--ack needs --by <name>: acknowledgements are audited');
      if (!(await acknowledgeAlarm(h, o.ack, o.by))) {
        console.error(await unacknowledgeable(h, o.ack));
        return EXIT.failed;
      }
      console.log(`alarm ${o.ack} acknowledged by ${o.by}`);
      return EXIT.ok;
    }
    if (typeof o.object === 'string' && (await archiveKinds(h, o.object)).size === 0) {
      console.error(`meterflow alarms: no statistical object, point or terminal '${o.object}' in the archive`);
      return EXIT.usage;
    }
    const rows = await listAlarms(h, {
      all: o.all === true, ...(typeof o.object === 'string' ? { object: o.object } : {}), ...(rule ? { rule: rule as RuleName } : {}), ...(severity ? { severity: severity as Severity } : {}),
    });
    if (o.format === 'json') console.log(JSON.stringify(rows, null, 2));
    else if (o.format === 'csv') process.stdout.write(toCsv(rows, EXPORT_COLUMNS.alarms));
    else {
      const line = (id: unknown, state: unknown, severity: unknown, period: string, message: unknown) =>
        console.log(`${String(id).padStart(5)}  ${String(state).padEnd(12)} ${String(severity).padEnd(8)} ${period.padEnd(41)}  ${String(message)}`);
      const utc = (t: unknown) => String(t).replace(/\.000Z$/, 'Z');
      if (rows.length === 0) console.log('no alarms');
      else line('id', 'state', 'severity', 'period (UTC)', 'message');
      for (const r of rows) line(r.id, r.state, r.severity, `${utc(r.period_start)}–${utc(r.period_end)}`, r.message);
    }
    return EXIT.ok;
    });
  },
};

/** The `alarms` command. */
export const alarmCommands: Command[] = [alarmsCmd];
