/**
 * Writing derived figures: interval, daily and monthly energy and statistical-object results,
 * each row with its quality, estimation method and the raw rows it came from. Energies are
 * stored as exact decimals in kWh/kvarh (four places; exact for integer multipliers).
 */
import type pg from 'pg';
import { advisoryLocksSql } from './literal.ts';
import { REGISTER_COLUMNS, bulkUpsert, type Cell } from '../../schema/index.ts';
import type { EnergyFigure } from '../figure.ts';
import type { ObjectFigure } from '../objects.ts';
import { combineQuality, isNotRead, ACTUAL, type Quality } from '../quality.ts';
import { ratToDecimal } from '../rational.ts';

/**
 * Quality of a stored row: combined over every register its meter reads, so a row is actual
 * only when all of them have an actual figure — a tier missing at a boundary makes the row
 * missing (its other registers keep their figures), lest a bill price that tier at zero.
 * Registers the meter does not read at all do not count.
 */
export function rowQuality(f: EnergyFigure): Quality {
  const judged = f.registers.filter((r) => !isNotRead(r.quality));
  if (judged.length === 0) return f.registers[0]?.quality ?? ACTUAL;
  return judged.reduce<Quality>((q, r) => combineQuality(q, r.quality), ACTUAL);
}

function qualityCells(q: Quality): [string, string | null] {
  if (q.kind === 'estimated') return ['estimated', q.methods.join(',')];
  if (q.kind === 'missing') return ['missing', q.reasons.join(',')];
  return ['actual', null];
}

function figureCells(f: EnergyFigure): Cell[] {
  const energies = f.registers.map((r) => (r.energy === null ? null : ratToDecimal(r.energy, 4, 2)));
  const src = f.sources.filter((s) => s.role === 'own' || s.role === 'bypass');
  const from = src.length > 0 ? new Date(src.reduce((m, s) => Math.min(m, s.from), Infinity)) : null;
  const to = src.length > 0 ? new Date(src.reduce((m, s) => Math.max(m, s.to), -Infinity)) : null;
  return [...energies, ...qualityCells(rowQuality(f)), from, to];
}

const FIGURE_COLUMNS = [...REGISTER_COLUMNS, 'quality', 'method', 'source_from', 'source_to'];

/** Upsert interval figures (keyed by interval end). */
export function saveIntervals(client: pg.PoolClient, copy: boolean, figures: readonly EnergyFigure[]): Promise<number> {
  return bulkUpsert(client, copy, 'interval_energy', ['point_id', 'ts', ...FIGURE_COLUMNS], ['point_id', 'ts'],
    figures.map((f) => [f.pointId, new Date(f.to), ...figureCells(f)]));
}

/** Upsert daily (`table` daily_energy, label YYYY-MM-DD) or monthly (monthly_energy, label YYYY-MM) figures. */
export function savePeriods(client: pg.PoolClient, copy: boolean, table: 'daily_energy' | 'monthly_energy', figures: readonly (EnergyFigure & { label: string })[]): Promise<number> {
  const keyCol = table === 'daily_energy' ? 'day' : 'month';
  return bulkUpsert(client, copy, table, ['point_id', keyCol, 'period_start', 'period_end', ...FIGURE_COLUMNS], ['point_id', keyCol],
    figures.map((f) => [f.pointId, table === 'daily_energy' ? f.label : `${f.label}-01`, new Date(f.from), new Date(f.to), ...figureCells(f)]));
}

/** Upsert object results for one period kind. */
export function saveObjects(client: pg.PoolClient, copy: boolean, kind: 'interval' | 'day' | 'month', figures: readonly ObjectFigure[]): Promise<number> {
  const dec = (f: ObjectFigure['input']) => (f.energy === null ? null : ratToDecimal(f.energy, 4, 2));
  return bulkUpsert(client, copy, 'object_result',
    ['object_id', 'period_kind', 'period_start', 'period_end', 'input', 'output', 'loss', 'loss_rate', 'quality'],
    ['object_id', 'period_kind', 'period_start'],
    figures.map((f) => [f.objectId, kind, new Date(f.from), new Date(f.to), dec(f.input), dec(f.output), dec(f.loss),
      f.lossRate === null ? null : ratToDecimal(f.lossRate, 8), qualityCells(f.quality)[0]]));
}

/** Points whose interval rows one transaction locks at most (the lock table holds 64 × max_connections by default). */
export const MAX_LOCKED_POINTS = 500;

/** Advisory lock class of the interval rows (two-key locks, apart from any single-key ones). */
const INTERVAL_LOCKS = 0x6d66_696e; // 'mfin'

/**
 * Take the interval rows of `points` for the rest of the transaction. Two workers may hold tasks
 * of one point whose windows overlap: the second waits for the first to commit, so its delete or
 * upsert sees the first one's rows (no duplicate keys). Points map onto 2^20 lock slots, taken in
 * slot order, so two transactions never deadlock; so many slots that two writers of different
 * points rarely share one (with 4 096, two chunks of 100 points shared a slot nine times in ten
 * and wrote one after the other). A transaction holds one lock per point: callers keep to
 * `MAX_LOCKED_POINTS` points, so a worker's two writers hold at most 1 000 of the 6 400 locks a
 * default server has (64 × max_connections); beyond five workers, raise max_locks_per_transaction.
 */
export async function lockIntervals(client: pg.PoolClient, points: readonly string[]): Promise<void> {
  await client.query(lockIntervalsSql(points));
}

/** The statement of `lockIntervals`, as text, to send in one round trip with the ones after it. */
export function lockIntervalsSql(points: readonly string[]): string {
  return advisoryLocksSql(INTERVAL_LOCKS, points);
}
