/**
 * Eastron SDM630 (Modbus V2) three-phase meter.
 *
 * Follows the Eastron "SDM630 Modbus Protocol" input-register table (function 04, IEEE 754
 * float32, high word first; addresses below are the hex protocol addresses, 3xxxx reference =
 * address + 30001):
 * 0x0000/0x0002/0x0004 phase 1/2/3 line-to-neutral volts, 0x0006/0x0008/0x000A phase 1/2/3
 * current (A), 0x0034 total system power (W), 0x003E total system power factor,
 * 0x0048 import active energy (kWh), 0x004A export active energy (kWh),
 * 0x004C import reactive energy (kvarh), 0x004E export reactive energy (kvarh).
 * The SDM630 keeps no tariff tiers: only the `total` tier of each direction is filled.
 * It has no readable clock and no Modbus load profile.
 */
import type { MeterProfile } from './types.ts';

/** The Eastron SDM630 profile. */
export const eastronSdm630: MeterProfile = {
  id: 'eastron-sdm630',
  description: 'Eastron SDM630 Modbus V2, input registers, float32 (Eastron SDM630 Modbus Protocol table)',
  table: 'input',
  wordOrder: 'high-first',
  maxGap: 20,
  fields: [
    { address: 0x0000, type: 'float32', scale: 1, target: { instant: 'ua' } },
    { address: 0x0002, type: 'float32', scale: 1, target: { instant: 'ub' } },
    { address: 0x0004, type: 'float32', scale: 1, target: { instant: 'uc' } },
    { address: 0x0006, type: 'float32', scale: 1, target: { instant: 'ia' } },
    { address: 0x0008, type: 'float32', scale: 1, target: { instant: 'ib' } },
    { address: 0x000a, type: 'float32', scale: 1, target: { instant: 'ic' } },
    { address: 0x0034, type: 'float32', scale: 1, target: { instant: 'p' } },
    { address: 0x003e, type: 'float32', scale: 1, target: { instant: 'pf' } },
    { address: 0x0048, type: 'float32', scale: 100, target: { register: 'ap_imp.total' } },
    { address: 0x004a, type: 'float32', scale: 100, target: { register: 'ap_exp.total' } },
    { address: 0x004c, type: 'float32', scale: 100, target: { register: 'rp_imp.total' } },
    { address: 0x004e, type: 'float32', scale: 100, target: { register: 'rp_exp.total' } },
  ],
};
