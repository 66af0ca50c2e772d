/**
 * Instantaneous values from a step's power, pure: per-phase voltage with a little seeded noise,
 * currents that carry the power in equal shares over the phases with voltage, and the power
 * factor — so P = Σ U·I·pf to rounding.
 */
import { normalAt } from './random.ts';

/** Voltages (0.01 V), currents (0.001 A) and power factor (0.001) of one instant. */
export interface InstantValues {
  voltage: number[];
  current: number[];
  powerFactor: number;
}

/** Instantaneous values for secondary power p (W) and q (var) in step k. */
export function instantValues(p: number, q: number, lost: readonly boolean[], nominalVoltage: number, seed: number, k: number): InstantValues {
  const pf = p === 0 && q === 0 ? 1 : Math.abs(p) / Math.hypot(p, q);
  const alive = lost.filter((l) => !l).length;
  const voltage: number[] = [];
  const current: number[] = [];
  for (let ph = 0; ph < 3; ph++) {
    if (lost[ph]) {
      voltage.push(0);
      current.push(0);
      continue;
    }
    const u = nominalVoltage * (1 + 0.005 * normalAt(seed ^ (ph + 1), k));
    voltage.push(Math.round(u * 100));
    current.push(Math.round((Math.abs(p) / (alive * u * pf)) * 1000));
  }
  return { voltage, current, powerFactor: Math.round(pf * 1000) };
}
