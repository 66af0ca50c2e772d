/** One meter read: plan the requests from its profile, read them, decode the reading. */
import { decodeReading, type MeterReading, type RegisterBlock } from '../decoding/index.ts';
import { ModbusExceptionError } from '../modbus/index.ts';
import { planProfile, planRequests, profileRanges, type PlanOptions, type RegisterRange } from '../planner/index.ts';
import type { MeterProfile } from '../profiles/index.ts';
import type { ModbusTransport } from '../transports/types.ts';

/** Options of a meter read. */
export interface ReadMeterOptions extends PlanOptions {
  /** Cancels the remaining requests. */
  signal?: AbortSignal;
}

/**
 * Read one meter. A merged request that spans unwanted registers and is refused with
 * "illegal data address" is retried as its wanted parts only, so a generous `maxGap` never
 * costs a reading on a meter with holes in its map.
 */
export async function readMeter(
  transport: ModbusTransport,
  profile: MeterProfile,
  unitId: number,
  options: ReadMeterOptions = {},
): Promise<MeterReading> {
  const wanted = profileRanges(profile);
  const blocks: RegisterBlock[] = [];
  for (const req of planProfile(profile, options)) {
    try {
      blocks.push(await readBlock(transport, unitId, req, options.signal));
    } catch (e) {
      if (!(e instanceof ModbusExceptionError && e.exceptionCode === 2)) throw e;
      const parts = planRequests(wanted.filter((w) => within(w, req)), { ...options, maxGap: 0 });
      if (parts.length === 1 && parts[0]!.count === req.count) throw e;
      for (const part of parts) blocks.push(await readBlock(transport, unitId, part, options.signal));
    }
  }
  return decodeReading(profile, blocks);
}

function within(w: RegisterRange, req: RegisterRange): boolean {
  return w.table === req.table && w.address >= req.address && w.address + w.count <= req.address + req.count;
}

async function readBlock(t: ModbusTransport, unitId: number, r: RegisterRange, signal?: AbortSignal): Promise<RegisterBlock> {
  return { table: r.table, address: r.address, registers: await t.read(unitId, r.table, r.address, r.count, signal) };
}
