/**
 * Fast path for benchmarks and bulk loads: the same meters as a scenario, integrated straight
 * through a time range without terminals, transports or files, yielding every point's 20
 * registers at every interval boundary in time order. A point id "terminal/name" with the
 * scenario's seed gives exactly that scenario meter's values.
 */
import { DEFAULT_TARIFF, Meter, TariffCalendar, buildLoads, hashString, zoneOf, type LoadSpec, type TariffSpec } from '../meter/index.ts';

/** A metering point to generate. */
export interface PointSpec {
  id: string;
  load: LoadSpec;
  tariff?: TariffSpec;
  /** 20 integers in 0.01 units; zeros when absent. */
  initial?: readonly number[];
  /** Register capacity in 0.01 units. */
  capacity?: number;
  ctRatio?: number;
  ptRatio?: number;
}

/** Options shared by every point. */
export interface GroundTruthOptions {
  zone?: string;
  intervalSeconds?: number;
  stepSeconds?: number;
}

/** One point at one interval boundary. */
export interface PointSnapshot {
  /** Index of the point in the input array. */
  index: number;
  point: string;
  /** Unix seconds. */
  time: number;
  /** The 20 registers, 0.01 units, register-map order. */
  registers: Float64Array;
}

/**
 * Yield snapshots at every interval boundary in [from, to], ordered by time then point. Sums
 * (`kind: 'sum'`) refer to other point ids of the same call.
 */
export function* groundTruth(points: PointSpec[], from: number, to: number, seed: number, opts: GroundTruthOptions = {}): Generator<PointSnapshot> {
  const zone = zoneOf(opts.zone ?? 'UTC');
  const interval = opts.intervalSeconds ?? 900;
  const step = opts.stepSeconds ?? 60;
  const seedOf = (id: string) => hashString(id, seed >>> 0);
  const loads = buildLoads(new Map(points.map((p) => [p.id, { load: p.load, seed: seedOf(p.id), zone }])), step);
  const calendars = new Map<TariffSpec, TariffCalendar>();
  const calendar = (spec: TariffSpec) => {
    let c = calendars.get(spec);
    if (!c) calendars.set(spec, (c = new TariffCalendar(spec)));
    return c;
  };
  const start = Math.floor(from);
  const meters = points.map(
    (p) =>
      new Meter({
        serial: p.id,
        seed: seedOf(p.id),
        load: loads.get(p.id)!,
        tariff: calendar(p.tariff ?? DEFAULT_TARIFF),
        zone,
        start,
        intervalSeconds: interval,
        profileDepth: 1, // the fast path keeps no history
        ...(p.initial ? { initial: p.initial } : {}),
        ...(p.capacity ? { capacity: p.capacity } : {}),
        ...(p.ctRatio ? { ctRatio: p.ctRatio } : {}),
        ...(p.ptRatio ? { ptRatio: p.ptRatio } : {}),
      }),
  );
  for (let t = Math.ceil(start / interval) * interval; t <= to; t += interval) {
    for (let i = 0; i < meters.length; i++) {
      const m = meters[i]!;
      m.advanceTo(t);
      m.drainEvents();
      yield { index: i, point: points[i]!.id, time: t, registers: Float64Array.from(m.trueRegisters()) };
    }
  }
}
