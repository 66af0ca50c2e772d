/** Decoding register blocks read from a meter into a reading, as the profile describes. */
import { REGISTER_COUNT, registerIndex } from '../../schema/registers.ts';
import { registerWidth, type FieldSpec, type InstantName, type MeterProfile, type RegisterTable } from '../profiles/index.ts';
import { decodeWords } from './words.ts';

/** Registers returned by one read request. */
export interface RegisterBlock {
  /** Table read. */
  table: RegisterTable;
  /** First address read. */
  address: number;
  /** The words returned. */
  registers: ArrayLike<number>;
}

/** A decoded meter reading. */
export interface MeterReading {
  /** The 20 energy registers in register-map order, integer hundredths; null where not kept or unreadable. */
  values: (number | null)[];
  /** Instantaneous values in SI units (V, A, W, ratio). */
  instant: Partial<Record<InstantName, number>>;
  /** The meter's own clock, when the profile has one. */
  clock: Date | null;
  /** Fields that decoded to an impossible value (NaN, negative energy), by address. */
  problems: string[];
}

function findWords(blocks: readonly RegisterBlock[], table: RegisterTable, field: FieldSpec): { words: ArrayLike<number>; offset: number } | undefined {
  const width = registerWidth(field.type);
  for (const b of blocks) {
    const offset = field.address - b.address;
    if (b.table === table && offset >= 0 && offset + width <= b.registers.length) return { words: b.registers, offset };
  }
  return undefined;
}

/**
 * Decode the blocks of one poll into a reading. Energy registers become integers of hundredths
 * (`round(raw × scale)`; a float32 times 100 is exact in a double, so the rounding is exact);
 * fields whose registers were not read stay null.
 */
export function decodeReading(profile: MeterProfile, blocks: readonly RegisterBlock[]): MeterReading {
  const reading: MeterReading = { values: new Array<number | null>(REGISTER_COUNT).fill(null), instant: {}, clock: null, problems: [] };
  for (const field of profile.fields) {
    const found = findWords(blocks, field.table ?? profile.table, field);
    if (!found) continue;
    const raw = decodeWords(found.words, found.offset, field.type, field.wordOrder ?? profile.wordOrder);
    const target = field.target;
    if ('register' in target) {
      const value = Math.round(raw * field.scale);
      if (!Number.isSafeInteger(value) || value < 0) {
        reading.problems.push(`register ${field.address} (${target.register}): impossible value ${raw}`);
        continue;
      }
      reading.values[registerIndex(target.register)] = value;
    } else if ('instant' in target) {
      if (!Number.isFinite(raw)) {
        reading.problems.push(`register ${field.address} (${target.instant}): impossible value ${raw}`);
        continue;
      }
      reading.instant[target.instant] = roundSignificant(raw * field.scale);
    } else {
      reading.clock = new Date(raw * 1000);
    }
  }
  return reading;
}

/** Strip binary noise from a scaled instantaneous value (0.1 × 2301 → 230.1, not 230.10000000000002). */
function roundSignificant(x: number): number {
  return Number(x.toPrecision(12));
}
