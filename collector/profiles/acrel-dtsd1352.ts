/**
 * Acrel DTSD1352 three-phase multi-function (TOU) energy meter.
 *
 * Follows the Modbus-RTU communication address table of the Acrel "DTSD1352 Three-Phase
 * Multi-Function Energy Meter Installation and Operation Manual" (holding registers, function 03;
 * 32-bit values high word first):
 * - 0x0000–0x0009 combined active energy total, sharp (尖), peak (峰), flat (平), valley (谷)
 *   — not read: it is a derived figure;
 * - 0x000A–0x0013 forward active energy total/sharp/peak/flat/valley, UINT32, 0.01 kWh;
 * - 0x0014–0x001D reverse active energy total/sharp/peak/flat/valley, UINT32, 0.01 kWh;
 * - 0x001E–0x0027 combined reactive energy — not read;
 * - 0x0028–0x0031 forward reactive energy total/sharp/peak/flat/valley, UINT32, 0.01 kvarh;
 * - 0x0032–0x003B reverse reactive energy total/sharp/peak/flat/valley, UINT32, 0.01 kvarh;
 * - 0x0061–0x0063 phase voltage A/B/C, UINT16, 0.1 V;
 * - 0x0064–0x0066 phase current A/B/C, UINT16, 0.01 A;
 * - 0x016A total active power, INT32, W;
 * - 0x017F total power factor, INT16, 0.001.
 * Energy is secondary-side: the point's CT/PT multiplier is applied by the calc engine.
 * Gaps in this map are not guaranteed readable, so the planner merges across none by default.
 */
import { tierFields, type MeterProfile } from './types.ts';

/** The Acrel DTSD1352 profile. */
export const acrelDtsd1352: MeterProfile = {
  id: 'acrel-dtsd1352',
  description: 'Acrel DTSD1352 three-phase multi-function TOU meter (manual: Modbus-RTU communication address table)',
  table: 'holding',
  wordOrder: 'high-first',
  maxGap: 0,
  fields: [
    ...tierFields('ap_imp', 0x000a),
    ...tierFields('ap_exp', 0x0014),
    ...tierFields('rp_imp', 0x0028),
    ...tierFields('rp_exp', 0x0032),
    { address: 0x0061, type: 'uint16', scale: 0.1, target: { instant: 'ua' } },
    { address: 0x0062, type: 'uint16', scale: 0.1, target: { instant: 'ub' } },
    { address: 0x0063, type: 'uint16', scale: 0.1, target: { instant: 'uc' } },
    { address: 0x0064, type: 'uint16', scale: 0.01, target: { instant: 'ia' } },
    { address: 0x0065, type: 'uint16', scale: 0.01, target: { instant: 'ib' } },
    { address: 0x0066, type: 'uint16', scale: 0.01, target: { instant: 'ic' } },
    { address: 0x016a, type: 'int32', scale: 1, target: { instant: 'p' } },
    { address: 0x017f, type: 'int16', scale: 0.001, target: { instant: 'pf' } },
  ],
};
