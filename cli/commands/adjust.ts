/** `meterflow adjust`: enter a manual supplementary or set figure (DESIGN.md §5). */
import { AdjustmentError, recordAdjustment, type AdjustedPeriod } from '../../calc-engine/store/index.ts';
import { instant, MonthLockedError } from '../../schema/index.ts';
import { EXIT, UsageError, type Command } from '../command.ts';
import { dataDirOption, withDatabase } from './shared.ts';

/** The period options: exactly one of --day, --month, --interval-end. */
function periodOption(o: Record<string, unknown>): AdjustedPeriod {
  const given = (['day', 'month', 'interval-end'] as const).filter((k) => typeof o[k] === 'string');
  if (given.length !== 1) throw new UsageError('give exactly one of --day YYYY-MM-DD, --month YYYY-MM, --interval-end <ISO time with offset>');
  const v = o[given[0]!] as string;
  if (given[0] === 'day') return { day: v };
  if (given[0] === 'month') return { month: v };
  const end = instant.safeParse(v);
  if (!end.success) throw new UsageError(`--interval-end '${v}' needs an ISO 8601 time with offset, e.g. 2026-10-05T10:15:00+02:00`);
  return { intervalEnd: end.data };
}

const adjustCmd: Command = {
  path: ['adjust'],
  summary: 'Enter manual energy of a point: --add a supplementary figure to the computed one, or --set it; audited, applied by the next recomputation.',
  options: {
    ...dataDirOption,
    point: { type: 'string', description: 'metering point (required)' },
    register: { type: 'string', description: 'register, e.g. ap_imp.total', default: 'ap_imp.total' },
    day: { type: 'string', description: 'a local day of the point, YYYY-MM-DD' },
    month: { type: 'string', description: 'a billing month, YYYY-MM' },
    'interval-end': { type: 'string', description: 'one interval, by its end (ISO 8601 with offset)' },
    add: { type: 'string', description: 'supplementary kWh/kvarh after multipliers, added to the computed figure (a negative one as --add=-5)' },
    set: { type: 'string', description: 'kWh/kvarh after multipliers that replace the computed figure' },
    actor: { type: 'string', description: 'who enters it (required)' },
    reason: { type: 'string', description: 'why (required)' },
  },
  async run(_, o) {
    if (typeof o.point !== 'string') throw new UsageError('--point is required');
    if ((typeof o.add === 'string') === (typeof o.set === 'string')) throw new UsageError('give one of --add <kWh> (supplementary) or --set <kWh> (replaces the figure)');
    if (typeof o.actor !== 'string' || typeof o.reason !== 'string') throw new UsageError('--actor and --reason are required: manual figures are audited');
    const period = periodOption(o);
    return withDatabase(o, async (h) => {
      try {
        const kind = typeof o.set === 'string' ? 'set' : 'supplementary';
        const r = await recordAdjustment(h, {
          pointId: o.point as string, register: o.register as string, kind, period, value: (o.set ?? o.add) as string, actor: o.actor as string, reason: o.reason as string,
        });
        console.log(`adjustment #${r.id}: ${kind} ${(o.set ?? o.add) as string} on ${o.register as string} of ${o.point as string}, ${r.period.kind} ${new Date(r.period.from).toISOString()} – ${new Date(r.period.to).toISOString()}; applied by the next recomputation (meterflow engine run --once)`);
        return EXIT.ok;
      } catch (e) {
        if (e instanceof AdjustmentError) throw new UsageError(e.message);
        if (e instanceof MonthLockedError) {
          console.error(`meterflow adjust: ${e.message}`);
          return EXIT.failed;
        }
        throw e;
      }
    });
  },
};

/** The `adjust` command. */
export const adjustCommands: Command[] = [adjustCmd];
