/** Builders for engine tests: points, readings and installation records as plain data. */
import { DateTime } from 'luxon';
import { REGISTER_COUNT, registerIndex, type RegisterCode } from '../../schema/registers.ts';
import {
  meterEpochs,
  ratToDecimal,
  type EnergyFigure,
  readingSeries,
  type Installation,
  type PointConfig,
  type PointData,
  type RatioPeriod,
  type Snapshot,
  type TransformerRatios,
} from '../../calc-engine/index.ts';

/** Epoch ms of a local time in a zone, e.g. at('2024-03-12T10:30', 'Europe/Berlin'). */
export function at(local: string, zone = 'Europe/Berlin'): number {
  const dt = DateTime.fromISO(local, { zone });
  if (!dt.isValid) throw new Error(`bad time ${local}`);
  return dt.toMillis();
}

/** A register vector with the given registers set and every other register at `rest` (default 0). */
export function regs(values: Partial<Record<RegisterCode, number>>, rest = 0): number[] {
  const v = new Array<number>(REGISTER_COUNT).fill(rest);
  for (const [k, x] of Object.entries(values)) v[registerIndex(k)] = x;
  return v;
}

/** CT primary/secondary with a direct PT. */
export function ct(primary: number, secondary = 5): TransformerRatios {
  return { ctPrimary: primary, ctSecondary: secondary, ptPrimary: 1, ptSecondary: 1 };
}

/** A point from its parts. */
export function pointData(
  config: Partial<PointConfig> & { id: string },
  installations: Installation[],
  ratios: RatioPeriod[],
  snapshots: Snapshot[],
): PointData {
  const cfg: PointConfig = { zone: 'Europe/Berlin', intervalMinutes: 15, maxIntervalEnergy: 1_000_000, ...config };
  return { config: cfg, epochs: meterEpochs(installations, ratios), series: readingSeries(snapshots) };
}

/** Snapshots every `stepMs` from `from` to `to` (inclusive) with ap_imp.total = f(i). */
export function linearSnapshots(from: number, to: number, stepMs: number, f: (i: number, t: number) => number, reg: RegisterCode = 'ap_imp.total'): Snapshot[] {
  const out: Snapshot[] = [];
  for (let t = from, i = 0; t <= to; t += stepMs, i++) out.push({ ts: t, values: regs({ [reg]: f(i, t) }) });
  return out;
}

/** Total active import, the register most examples read. */
export const IMP = registerIndex('ap_imp.total');

/** A figure's energy of register `r` in kWh with two decimals, or null when missing. */
export function kwh(f: EnergyFigure, r = IMP): string | null {
  const e = f.registers[r]!.energy;
  return e === null ? null : ratToDecimal(e, 2, 2);
}
