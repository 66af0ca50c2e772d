/** `meterflow settle --month YYYY-MM [--approve-estimates --actor NAME] [--reopen --reason "…"] [--export DIR --format csv|xlsx|html]`. */
import { userInfo } from 'node:os';
import {
  EXPORT_FORMATS, MonthSettledError, SettlementRefusedError, checkMonth, exportRun, latestRun, reopenMonth, settleMonth, summaryText,
  type ExportFormat,
} from '../../calc-engine/settlement/index.ts';
import { EXIT, UsageError, type Command } from '../command.ts';
import { dataDirOption, withDatabase } from './shared.ts';

function defaultActor(): string {
  try {
    return process.env.USER ?? userInfo().username;
  } catch {
    return 'unknown';
  }
}

const settleCmd: Command = {
  path: ['settle'],
  summary: 'Settle a month: completeness gate, statements per account, lock; or reopen it; export statements.',
  options: {
    ...dataDirOption,
    month: { type: 'string', description: 'billing month, YYYY-MM (required)' },
    actor: { type: 'string', description: 'who settles or reopens, for the audit log (required with --approve-estimates)', default: '$USER' },
    'approve-estimates': { type: 'boolean', description: 'accept estimated monthly figures, recording --actor as the approver', default: false },
    reopen: { type: 'boolean', description: 'reopen the settled month for re-settlement (needs --reason); held late changes are applied', default: false },
    reason: { type: 'string', description: 'why the month is reopened' },
    export: { type: 'string', description: 'write the statements of the month’s latest version into this directory' },
    format: { type: 'string', description: `export format: ${EXPORT_FORMATS.join('|')}`, default: 'csv' },
  },
  async run(_, o) {
    if (typeof o.month !== 'string') throw new UsageError('missing --month YYYY-MM');
    try {
      checkMonth(o.month);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const explicitActor = typeof o.actor === 'string' && o.actor !== '$USER';
    const actor = explicitActor ? (o.actor as string) : defaultActor();
    if (o['approve-estimates'] && !explicitActor) throw new UsageError('--approve-estimates needs --actor NAME: who approves the estimated figures');
    if (o.reopen && typeof o.reason !== 'string') throw new UsageError('--reopen needs --reason "…": why the month is settled again');
    if (!o.reopen && typeof o.reason === 'string') throw new UsageError('--reason goes with --reopen');
    const format = o.format as string;
    if (!EXPORT_FORMATS.includes(format as ExportFormat)) throw new UsageError(`--format ${format}: expected one of ${EXPORT_FORMATS.join(', ')}`);
    const month = o.month;
    return withDatabase(o, async (h) => {
    if (o.reopen) {
      const r = await reopenMonth(h, { month, actor, reason: o.reason as string });
      console.log(`reopened ${month} (version ${r.run.version}, settled by ${r.run.actor}) by ${actor}: ${o.reason as string}; applied ${r.applied.length} held change(s)`);
      for (const f of r.failed) console.error(`  held change #${f.id} could not be applied: ${f.error}`);
      console.log(`next: let the engine recompute, then meterflow settle --month ${month} (makes version ${r.run.version + 1} with a difference statement)`);
      return r.failed.length > 0 ? EXIT.failed : EXIT.ok;
    }
    const last = await latestRun(h.db, month);
    if (last?.state === 'locked' && typeof o.export === 'string') {
      console.log(`month ${month} is settled (version ${last.version}); exporting it`);
    } else {
      try {
        const r = await settleMonth(h, { month, actor, approveEstimates: o['approve-estimates'] === true });
        process.stdout.write(summaryText(r.run));
      } catch (e) {
        if (e instanceof SettlementRefusedError) {
          console.error(e.message);
          console.error('what to do: let the engine compute the missing figures (or supply readings), or approve estimates with --approve-estimates --actor NAME; then run again');
          return EXIT.failed;
        }
        if (e instanceof MonthSettledError) {
          console.error(e.message);
          return EXIT.failed;
        }
        throw e;
      }
    }
    if (typeof o.export === 'string') {
      const files = await exportRun(h, { month, dir: o.export, format: format as ExportFormat });
      for (const f of files) console.log(`wrote ${f}`);
    }
    return EXIT.ok;
    });
  },
};

/** The `settle` command. */
export const settleCommands: Command[] = [settleCmd];
