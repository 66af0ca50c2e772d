/**
 * The declarative shape of a meter profile: which registers hold what, in which encoding.
 */
import { TIERS, type Direction, type RegisterCode } from '../../schema/registers.ts';

/** How a value is encoded in one or two 16-bit registers. */
export type ValueType = 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32';

/** Order of the two 16-bit words of a 32-bit value. */
export type WordOrder = 'high-first' | 'low-first';

/** Modbus register table: holding (function 3) or input (function 4). */
export type RegisterTable = 'holding' | 'input';

/** Instantaneous values a profile can fill, in SI units (V, A, W, power factor as a ratio). */
export const INSTANT_NAMES = ['ua', 'ub', 'uc', 'ia', 'ib', 'ic', 'p', 'pf'] as const;
/** Name of an instantaneous value. */
export type InstantName = (typeof INSTANT_NAMES)[number];

/** What a field fills in a reading. */
export type FieldTarget =
  | { register: RegisterCode }
  | { instant: InstantName }
  | { clock: 'unix-seconds' };

/**
 * One value in a meter's register map.
 *
 * `scale` converts the raw number to the target's unit: for an energy register, hundredths of
 * kWh/kvarh per raw unit (1 for a register already in 0.01 kWh, 100 for a float in kWh; the
 * result is rounded to an integer); for an instantaneous value, SI units per raw unit.
 */
export interface FieldSpec {
  /** First register address (0-based protocol address, not the 3xxxx/4xxxx reference). */
  address: number;
  /** Encoding. */
  type: ValueType;
  /** Register table; defaults to the profile's. */
  table?: RegisterTable;
  /** Word order of 32-bit values; defaults to the profile's. */
  wordOrder?: WordOrder;
  /** Multiplier from raw to target unit (see above). */
  scale: number;
  /** What the value fills. */
  target: FieldTarget;
}

/**
 * A meter's load profile (stored interval records) reachable over Modbus, as `sim-terminal-v1`
 * lays it out: an info block, a selector register and a record window.
 */
export interface LoadProfileMap {
  /** Address of oldest (uint32), newest (uint32) and interval (uint32) seconds: 6 registers. */
  infoAddress: number;
  /** Address where the wanted record time is written (uint32, function 16). */
  selectAddress: number;
  /** Address of the record: time (uint32, 0 = none) then the 20 energy registers (uint32). */
  recordAddress: number;
  /** Scale of the record's energy registers in hundredths per raw unit. */
  scale: number;
}

/** A meter profile: the declarative register map of one meter or terminal model. */
export interface MeterProfile {
  /** Profile id as named in site.yaml (`sim-terminal-v1`, `eastron-sdm630`, …). */
  id: string;
  /** Human description including the datasheet followed. */
  description: string;
  /** Default register table of the fields. */
  table: RegisterTable;
  /** Default word order of 32-bit fields. */
  wordOrder: WordOrder;
  /**
   * Default number of unwanted registers the planner may read inside one gap when merging
   * ranges; 0 where reading a hole may raise an illegal-address exception.
   */
  maxGap: number;
  /** The values read on every routine poll. */
  fields: readonly FieldSpec[];
  /** The Modbus load profile, when the device keeps one. */
  loadProfile?: LoadProfileMap;
  /**
   * Loss-of-voltage records, when the device keeps them: per phase A, B, C four uint32
   * (count, cumulative seconds, last start, last end; 24 registers). A new "last end" means the
   * supply came back: time to backfill.
   */
  outageRecordsAddress?: number;
}

/** Number of 16-bit registers a value of `type` occupies. */
export function registerWidth(type: ValueType): 1 | 2 {
  return type === 'uint16' || type === 'int16' ? 1 : 2;
}

/** The five tier registers of one direction as consecutive 32-bit unsigned fields from `base`, in 0.01 units. */
export function tierFields(direction: Direction, base: number): FieldSpec[] {
  return TIERS.map((t, i): FieldSpec => ({
    address: base + i * 2,
    type: 'uint32',
    scale: 1,
    target: { register: `${direction}.${t}` as RegisterCode },
  }));
}
