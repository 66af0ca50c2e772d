/**
 * `sim-terminal-v1`: the simulated terminal of DESIGN.md §7, the contract shared with
 * `simulators/`. Holding registers, 32-bit values high word first.
 */
import { DIRECTIONS, TIERS } from '../../schema/registers.ts';
import { tierFields, type MeterProfile } from './types.ts';

const energy = DIRECTIONS.flatMap((d, i) => tierFields(d, i * TIERS.length * 2));

/** The `sim-terminal-v1` profile (DESIGN.md §7 register table). */
export const simTerminalV1: MeterProfile = {
  id: 'sim-terminal-v1',
  description: 'meterflow simulated terminal, DESIGN.md §7 register map',
  table: 'holding',
  wordOrder: 'high-first',
  maxGap: 32,
  fields: [
    ...energy,
    { address: 64, type: 'uint32', scale: 0.01, target: { instant: 'ua' } },
    { address: 66, type: 'uint32', scale: 0.01, target: { instant: 'ub' } },
    { address: 68, type: 'uint32', scale: 0.01, target: { instant: 'uc' } },
    { address: 70, type: 'uint32', scale: 0.001, target: { instant: 'ia' } },
    { address: 72, type: 'uint32', scale: 0.001, target: { instant: 'ib' } },
    { address: 74, type: 'uint32', scale: 0.001, target: { instant: 'ic' } },
    { address: 76, type: 'int32', scale: 1, target: { instant: 'p' } },
    { address: 78, type: 'int16', scale: 0.001, target: { instant: 'pf' } },
    { address: 96, type: 'uint32', scale: 1, target: { clock: 'unix-seconds' } },
  ],
  loadProfile: { infoAddress: 128, selectAddress: 136, recordAddress: 140, scale: 1 },
  outageRecordsAddress: 192,
};
