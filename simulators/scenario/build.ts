/**
 * From a validated scenario to terminals with meters and faults on their timelines. Seeds are
 * derived from the scenario seed and the meter's name, so adding a meter leaves the others' runs
 * unchanged.
 */
import { DIRECTIONS, REGISTER_CODES } from '../../schema/registers.ts';
import { scheduleFault, type Fault } from '../faults/index.ts';
import { DEFAULT_CAPACITY, DEFAULT_TARIFF, Meter, TariffCalendar, buildLoads, hashString, zoneOf, type MeterConfig } from '../meter/index.ts';
import { Terminal } from '../terminal/index.ts';
import { resolveInitial, type InitialSpec } from './initial.ts';
import type { FaultEntry, ScenarioFile } from './schema.ts';
import { parseDuration, parseInstant } from './time.ts';

/** Transport settings of one terminal, as written. */
export type TransportSpec = NonNullable<ScenarioFile['terminals'][number]['transports']>;

/** A scenario made runnable. */
export interface Simulation {
  name: string;
  seed: number;
  zone: string;
  start: number;
  end: number;
  speed: number;
  terminals: Terminal[];
  transports: Map<string, TransportSpec>;
  faults: { terminal: string; fault: Fault }[];
}

function ratio(v: number | string | undefined): number | undefined {
  if (v === undefined || typeof v === 'number') return v;
  const [a, b] = v.split('/').map(Number);
  return a! / b!;
}

function initial(spec: InitialSpec | undefined, where: string): number[] {
  const r = resolveInitial(spec);
  if (typeof r === 'string') throw new Error(`${where}: ${r}`);
  return r;
}

function fault(f: FaultEntry, start: number): Fault {
  const { terminal: _t, at, duration, ...rest } = f;
  const base = { at: parseInstant(at, start)!, ...(duration !== undefined ? { duration: parseDuration(duration)! } : {}) };
  switch (rest.kind) {
    case 'replace':
      return { ...base, ...rest, initial: initial(rest.initial, `fault replace of unit ${rest.unit}`) };
    case 'ct-change':
    case 'pt-change':
      return { ...base, ...rest, ...(rest.ct !== undefined ? { ct: ratio(rest.ct)! } : {}), ...(rest.pt !== undefined ? { pt: ratio(rest.pt)! } : {}) } as Fault;
    case 'rollover':
      return { ...base, kind: 'rollover', unit: rest.unit, direction: DIRECTIONS.indexOf(rest.direction ?? 'ap_imp'), marginUnits: Math.round(Number(rest.marginKwh ?? 5) * 100) };
    case 'stuck':
      return { ...base, kind: 'stuck', unit: rest.unit, ...(rest.registers ? { registers: rest.registers.map((c) => REGISTER_CODES.indexOf(c as (typeof REGISTER_CODES)[number])) } : {}) };
    case 'phase-loss':
      return { ...base, kind: 'phase-loss', unit: rest.unit, phase: 'ABC'.indexOf(rest.phase) };
    default:
      return { ...base, ...rest } as Fault;
  }
}

/** Build terminals, meters and timelines of a scenario. */
export function buildSimulation(s: ScenarioFile): Simulation {
  const seed = s.seed ?? 1;
  const zoneName = s.zone ?? 'UTC';
  const zone = zoneOf(zoneName);
  const start = parseInstant(s.start)!;
  const end = s.end !== undefined ? parseInstant(s.end, start)! : start + parseDuration(s.duration!)!;
  if (end <= start) throw new Error(`scenario ${s.name}: end must be after start`);
  const step = s.stepSeconds ?? 60;
  const meterSeed = (terminal: string, name: string) => hashString(`${terminal}/${name}`, seed >>> 0);
  const loadSpecs = new Map(s.terminals.flatMap((t) => t.meters.map((m) => [m.name, { load: m.load, seed: meterSeed(t.id, m.name), zone }] as const)));
  const loads = buildLoads(loadSpecs, step);
  const tariffs = new Map(Object.entries(s.tariffs ?? {}).map(([k, v]) => [k, new TariffCalendar(v)]));
  const defaultTariff = new TariffCalendar(DEFAULT_TARIFF);
  const transports = new Map<string, TransportSpec>();
  const faults: Simulation['faults'] = [];
  const terminals = s.terminals.map((t, ti) => {
    const interval = parseDuration(t.interval ?? 900)!;
    const term = new Terminal(t.id, start, interval, undefined, hashString(`wire/${t.id}`, seed >>> 0));
    for (const m of t.meters) {
      const config: MeterConfig = {
        serial: m.serial ?? `SIM-${t.id}-${m.unit}`,
        seed: meterSeed(t.id, m.name),
        load: loads.get(m.name)!,
        tariff: m.tariff ? tariffs.get(m.tariff)! : defaultTariff,
        zone,
        start,
        intervalSeconds: interval,
        profileDepth: Math.max(1, Math.round(parseDuration(t.profileDepth ?? '30d')! / interval)),
        demandSeconds: parseDuration(m.demand ?? 900)!,
        capacity: m.capacityKwh ? m.capacityKwh * 100 : DEFAULT_CAPACITY,
        initial: initial(m.initial, `terminals.${ti}.meters unit ${m.unit}`),
        ctRatio: ratio(m.ct) ?? 1,
        ptRatio: ratio(m.pt) ?? 1,
        ...(m.voltage ? { nominalVoltage: m.voltage } : {}),
      };
      term.addMeter({ unit: m.unit, name: m.name, meter: new Meter(config), config });
    }
    if (t.transports) transports.set(t.id, t.transports);
    return term;
  });
  for (const f of s.faults ?? []) {
    const term = f.terminal === undefined ? terminals[0]! : terminals.find((t) => t.id === f.terminal)!;
    const resolved = fault(f, start);
    scheduleFault(term, resolved);
    faults.push({ terminal: term.id, fault: resolved });
  }
  return { name: s.name, seed, zone: zoneName, start, end, speed: s.speed ?? 1440, terminals, transports, faults };
}
