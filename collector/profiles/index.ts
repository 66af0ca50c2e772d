/** Meter profiles: declarative register maps, looked up by the id site.yaml names. */
import { acrelDtsd1352 } from './acrel-dtsd1352.ts';
import { eastronSdm630 } from './eastron-sdm630.ts';
import { simTerminalV1 } from './sim-terminal-v1.ts';
import type { MeterProfile } from './types.ts';

export { simTerminalV1, eastronSdm630, acrelDtsd1352 };
export {
  INSTANT_NAMES,
  registerWidth,
  type FieldSpec,
  type FieldTarget,
  type InstantName,
  type LoadProfileMap,
  type MeterProfile,
  type RegisterTable,
  type ValueType,
  type WordOrder,
} from './types.ts';

/** Every profile shipped, by id. */
export const PROFILES: ReadonlyMap<string, MeterProfile> = new Map(
  [simTerminalV1, eastronSdm630, acrelDtsd1352].map((p) => [p.id, p]),
);

/** The profile named `id`, or undefined. */
export function findProfile(id: string): MeterProfile | undefined {
  return PROFILES.get(id);
}
