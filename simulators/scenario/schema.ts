/**
 * Scenario file schema (zod). Times and durations stay as written here; build.ts resolves them.
 * Cross-references (tariff names, summed meters, fault targets) are checked in `superRefine`
 * so that their errors, too, point at a line of the file.
 */
import { z } from 'zod';
import { isRegisterCode, parseRegisterValue } from '../../schema/registers.ts';
import { SHAPES } from '../meter/index.ts';
import { resolveInitial } from './initial.ts';
import { parseDuration, parseInstant } from './time.ts';

const duration = z.union([z.number(), z.string()]).refine((v) => parseDuration(v) !== undefined, 'expected a duration such as 900, "15m", "2h", "7d"');
const instant = z.union([z.string(), z.date()]).refine((v) => parseInstant(v, 0) !== undefined, 'expected an ISO 8601 time with offset (2024-03-01T00:00:00+08:00) or "+<duration>"');
const tier = z.enum(['sharp', 'peak', 'flat', 'valley']);
const band = z.object({ from: z.string().regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'expected HH:MM').describe('local time HH:MM the band starts (until the next band)'), tier }).strict();
const ratio = z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?\/\d+(\.\d+)?$/, 'expected a number or "primary/secondary" like "200/5"')]);
const decimal = z.union([z.number().nonnegative(), z.string()]).refine((v) => parseRegisterValue(String(v)) !== undefined, 'expected a reading with at most two decimals');
const unitId = z.number().int().min(1).max(247);

/** A tariff calendar. */
export const TariffSchema = z
  .object({
    bands: z.array(band).min(1).describe('time-of-day bands of a working day'),
    seasons: z.array(z.object({ months: z.array(z.number().int().min(1).max(12)).min(1).describe('months 1–12 of the season'), bands: z.array(band).min(1) }).strict()).optional().describe('bands that replace `bands` in these months'),
    weekendBands: z.array(band).min(1).optional().describe('bands of Saturdays and Sundays'),
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')).optional().describe('local dates YYYY-MM-DD'),
    holidayTier: tier.optional().describe('tier of a whole holiday'),
  })
  .strict();

/** A load declaration. */
export const LoadSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('profile'),
      shape: z.enum(Object.keys(SHAPES) as [keyof typeof SHAPES, ...(keyof typeof SHAPES)[]]).describe('daily shape by local hour'),
      peakKw: z.number().positive().describe('primary active power at the shape\'s peak, kW'),
      weekendFactor: z.number().min(0).optional().describe('factor on Saturdays and Sundays'),
      noise: z.number().min(0).max(1).optional().describe('relative random noise'),
      pvKw: z.number().min(0).optional().describe('peak PV generation, kW (the point exports when it exceeds the load)'),
      powerFactor: z.number().gt(0).max(1).optional().describe('power factor of the load (reactive power from it)'),
    })
    .strict(),
  z.object({ kind: z.literal('sum'), of: z.array(z.string()).min(1).describe('names of the meters summed'), factor: z.number().positive().optional().describe('factor on the sum (losses: e.g. 1.01)') }).strict(),
]);

/** An initial reading: a number (kWh of ap_imp.total) or registers by name. */
export const InitialSchema = z.union([
  decimal,
  z.record(z.string(), decimal).superRefine((rec, ctx) => {
    for (const k of Object.keys(rec)) if (!isRegisterCode(k)) ctx.addIssue({ code: 'custom', path: [k], message: `"${k}" is not a register (e.g. ap_imp.total)` });
  }),
]);

/** A meter behind a unit id. */
export const MeterSchema = z
  .object({
    unit: unitId.describe('Modbus unit id'),
    name: z.string().min(1).describe('unique in the scenario; faults and sums refer to it'),
    serial: z.string().min(1).optional(),
    load: LoadSchema.describe('what the meter measures'),
    tariff: z.string().optional().describe('name of a tariff calendar under `tariffs`'),
    ct: ratio.optional().describe('CT ratio, a number or "primary/secondary" like "200/5"'),
    pt: ratio.optional().describe('PT ratio, a number or "10000/100"'),
    capacityKwh: z.number().int().positive().max(42_949_672).optional().describe('register capacity, kWh (default 1 000 000)'),
    initial: InitialSchema.optional().describe('initial reading: kWh of ap_imp.total, or registers by name'),
    voltage: z.number().positive().optional().describe('nominal phase voltage, V, as the instantaneous values show it'),
    demand: duration.optional().describe('demand integration period (default 900 s)'),
  })
  .strict()
  .superRefine((m, ctx) => {
    const r = resolveInitial(m.initial);
    if (typeof r === 'string') ctx.addIssue({ code: 'custom', path: ['initial'], message: r });
    else if (r.some((v) => v >= (m.capacityKwh ?? 1_000_000) * 100)) ctx.addIssue({ code: 'custom', path: ['initial'], message: 'initial reading at or above the register capacity' });
  });

/** Transports a terminal is served on. */
export const TransportsSchema = z
  .object({
    modbusTcp: z.object({ host: z.string().optional(), port: z.number().int().min(0).max(65535).optional().describe('0: any free port') }).strict().optional().describe('serve Modbus TCP'),
    modbusRtu: z
      .object({
        path: z.string().optional().describe('serial device to serve on'),
        pty: z.boolean().optional().describe('serve on a socat pty pair instead'),
        baud: z.number().int().positive().optional(),
        parity: z.enum(['none', 'even', 'odd']).optional(),
        stopBits: z.union([z.literal(1), z.literal(2)]).optional(),
        silenceChars: z.number().positive().optional().describe('inter-frame silence in character times'),
      })
      .strict()
      .optional()
      .describe('serve Modbus RTU'),
    mqtt: z.object({ url: z.string().optional().describe('broker URL'), prefix: z.string().optional().describe('topic prefix'), chunkSize: z.number().int().positive().optional().describe('records per history response chunk') }).strict().optional().describe('push over MQTT'),
  })
  .strict();

/** A terminal. */
export const TerminalSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only (it is an MQTT topic level)'),
    interval: duration.optional().describe('interval of the load profile and pushes (e.g. 15m)'),
    profileDepth: duration.optional().describe('how far back the load profile reaches (default 30d)'),
    transports: TransportsSchema.optional().describe('transports the terminal is served on'),
    meters: z.array(MeterSchema).min(1),
  })
  .strict();

const rateFields = {
  probability: z.number().min(0).max(1).optional().describe('share of requests or messages affected (default all)'),
  units: z.array(unitId).optional().describe('only these unit ids (default all)'),
};
const timing = {
  at: instant.describe('when it starts: ISO 8601 with offset, or "+<duration>" from start'),
  duration: duration.optional().describe('how long it lasts'),
  terminal: z.string().optional().describe('terminal id (required when there are several)'),
};
const reg = z.string().refine(isRegisterCode, 'expected a register such as ap_imp.total');

/** A fault on the timeline. */
export const FaultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('link-down'), ...timing }).strict(),
  z.object({ kind: z.literal('slow'), delayMs: z.number().int().min(0).describe('added answer delay, ms'), ...timing }).strict(),
  z.object({ kind: z.literal('timeout'), ...rateFields, ...timing }).strict(),
  z.object({ kind: z.literal('corrupt'), mode: z.enum(['crc', 'garble']).optional().describe('break the CRC or garble the payload'), ...rateFields, ...timing }).strict(),
  z.object({ kind: z.literal('exception'), code: z.number().int().min(1).max(255).optional().describe('Modbus exception code'), ...rateFields, ...timing }).strict(),
  z.object({ kind: z.literal('mqtt-duplicate'), probability: rateFields.probability, ...timing }).strict(),
  z.object({ kind: z.literal('mqtt-out-of-order'), probability: rateFields.probability, ...timing }).strict(),
  z.object({ kind: z.literal('mqtt-malformed'), probability: rateFields.probability, ...timing }).strict(),
  z
    .object({ kind: z.literal('replace'), unit: unitId, serial: z.string().min(1).describe('serial of the new meter'), initial: InitialSchema.optional().describe('initial reading of the new meter'), ...timing })
    .strict()
    .superRefine((f, ctx) => {
      const r = resolveInitial(f.initial);
      if (typeof r === 'string') ctx.addIssue({ code: 'custom', path: ['initial'], message: r });
    }),
  z.object({ kind: z.literal('ct-change'), unit: unitId, ct: ratio, pt: ratio.optional(), ...timing }).strict(),
  z.object({ kind: z.literal('pt-change'), unit: unitId, pt: ratio, ct: ratio.optional(), ...timing }).strict(),
  z.object({ kind: z.literal('rollover'), unit: unitId, direction: z.enum(['ap_imp', 'ap_exp', 'rp_imp', 'rp_exp']).optional(), marginKwh: decimal.optional().describe('how far below capacity the register is preset, kWh (default 5)'), ...timing }).strict(),
  z.object({ kind: z.literal('stuck'), unit: unitId, registers: z.array(reg).optional().describe('registers that stop advancing (default all)'), ...timing }).strict(),
  z.object({ kind: z.literal('spike'), unit: unitId, factor: z.number().positive().describe('factor on the measured power while it lasts'), ...timing }).strict(),
  z.object({ kind: z.literal('clock-drift'), unit: unitId.optional(), offsetSeconds: z.number().int().optional().describe('clock step, s'), ratePerDay: z.number().optional().describe('drift, s per day'), ...timing }).strict(),
  z.object({ kind: z.literal('power-loss'), unit: unitId.optional(), ...timing }).strict(),
  z.object({ kind: z.literal('phase-loss'), unit: unitId, phase: z.enum(['A', 'B', 'C']), ...timing }).strict(),
  z.object({ kind: z.literal('tamper'), unit: unitId.optional(), ...timing }).strict(),
]);

/** A whole scenario file. */
export const ScenarioSchema = z
  .object({
    name: z.string().min(1),
    seed: z.number().int().optional().describe('random seed: the same seed gives the same readings'),
    zone: z.string().optional().describe('IANA time zone of the meters and tariff calendars (default UTC)'),
    start: instant.describe('ISO 8601 with offset'),
    end: instant.optional().describe('an instant or "+<duration>" (give end or duration)'),
    duration: duration.optional().describe('seconds or "15m", "2h", "7d"'),
    stepSeconds: z.number().int().positive().max(900).refine((s) => 900 % s === 0, 'must divide 900').optional().describe('model step (default 60); must divide 900'),
    speed: z.number().positive().optional().describe('simulated seconds per wall second in live runs (default 1440)'),
    tariffs: z.record(z.string(), TariffSchema).optional().describe('TOU calendars by name'),
    terminals: z.array(TerminalSchema).min(1),
    faults: z.array(FaultSchema).optional().describe('the fault timeline'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.end === undefined && s.duration === undefined) ctx.addIssue({ code: 'custom', path: ['end'], message: 'give "end" or "duration"' });
    const names = new Set<string>();
    const terminalIds = new Set<string>();
    s.terminals.forEach((t, ti) => {
      if (terminalIds.has(t.id)) ctx.addIssue({ code: 'custom', path: ['terminals', ti, 'id'], message: `terminal id "${t.id}" used twice` });
      terminalIds.add(t.id);
      const units = new Set<number>();
      t.meters.forEach((m, mi) => {
        if (units.has(m.unit)) ctx.addIssue({ code: 'custom', path: ['terminals', ti, 'meters', mi, 'unit'], message: `unit ${m.unit} used twice in terminal "${t.id}"` });
        units.add(m.unit);
        if (names.has(m.name)) ctx.addIssue({ code: 'custom', path: ['terminals', ti, 'meters', mi, 'name'], message: `meter name "${m.name}" used twice` });
        names.add(m.name);
        if (m.tariff !== undefined && !s.tariffs?.[m.tariff]) ctx.addIssue({ code: 'custom', path: ['terminals', ti, 'meters', mi, 'tariff'], message: `unknown tariff "${m.tariff}"` });
      });
    });
    s.terminals.forEach((t, ti) =>
      t.meters.forEach((m, mi) => {
        if (m.load.kind === 'sum')
          m.load.of.forEach((n, ni) => {
            if (!names.has(n)) ctx.addIssue({ code: 'custom', path: ['terminals', ti, 'meters', mi, 'load', 'of', ni], message: `no meter named "${n}"` });
          });
      }),
    );
    (s.faults ?? []).forEach((f, fi) => {
      const term = f.terminal === undefined ? (s.terminals.length === 1 ? s.terminals[0] : undefined) : s.terminals.find((t) => t.id === f.terminal);
      if (!term) {
        ctx.addIssue({ code: 'custom', path: ['faults', fi, 'terminal'], message: f.terminal === undefined ? 'name the terminal (the scenario has several)' : `unknown terminal "${f.terminal}"` });
        return;
      }
      if ('unit' in f && f.unit !== undefined && !term.meters.some((m) => m.unit === f.unit))
        ctx.addIssue({ code: 'custom', path: ['faults', fi, 'unit'], message: `terminal "${term.id}" has no unit ${f.unit}` });
    });
  });

/** A validated scenario as written. */
export type ScenarioFile = z.infer<typeof ScenarioSchema>;
/** A fault as written. */
export type FaultEntry = z.infer<typeof FaultSchema>;
/** A meter as written. */
export type MeterEntry = z.infer<typeof MeterSchema>;
