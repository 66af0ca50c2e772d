/**
 * The archive file (`meterflow import archive <file.yaml>`): substations down to metering
 * points, installation history, CT/PT changes, bypasses, statistical objects, tariffs and
 * accounts. Validated with zod; every problem names file, line and field.
 */
import { z } from 'zod';
import { DateTime } from 'luxon';
import { DEFAULT_REGISTER_CAPACITY, DIRECTIONS, REGISTER_CODES, parseRegisterValue, registerValueProblem, type RegisterCode } from './registers.ts';
import { InputError, parseYaml, yamlLineOf, type InputProblem } from './located.ts';
import { tariffDaysProblem, tariffSchedules, tariffSpecSchema } from './tariff-spec.ts';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'an id: letters, digits and _ . : - only');
/** An instant with an explicit offset, e.g. 2026-10-01T00:00:00+02:00. */
export const instant = z
  .string()
  .refine((s) => /(Z|[+-]\d{2}:?\d{2})$/.test(s) && DateTime.fromISO(s, { setZone: true }).isValid, 'an ISO 8601 time with offset, e.g. 2026-10-01T00:00:00+02:00')
  .transform((s) => DateTime.fromISO(s).toJSDate());
const zone = z.string().refine((s) => DateTime.now().setZone(s).isValid, 'an IANA time zone such as Europe/Berlin');
const ratio = z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?$/).refine((s) => Number(s) > 0, 'must be positive')]).transform(String);
/** A register value in kWh/kvarh with at most two decimals, as integer hundredths. */
export const registerValue = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const n = parseRegisterValue(String(v));
    if (n === undefined) ctx.addIssue({ code: 'custom', message: registerValueProblem(String(v)) });
    return n ?? 0;
  });
const registerSet = z
  .record(z.string(), registerValue)
  .superRefine((rec, ctx) => {
    for (const k of Object.keys(rec)) {
      if (!REGISTER_CODES.includes(k as RegisterCode)) ctx.addIssue({ code: 'custom', path: [k], message: `unknown register; one of ${REGISTER_CODES.join(', ')}` });
    }
  })
  .transform((rec) => REGISTER_CODES.map((c) => rec[c] ?? null));

const substation = z.strictObject({ id: id.describe('unique id within its section'), name: z.string(), timeZone: zone.default('UTC').describe('IANA time zone of the substation') });
const equipment = { id: id.describe('unique id within its section'), substation: id.describe('id of the substation it belongs to'), name: z.string().describe('display name') };
const terminal = z.strictObject({
  ...equipment,
  transport: z.enum(['modbus-tcp', 'modbus-rtu', 'mqtt']).describe('how the collector reaches it'),
  address: z.string().describe('host:port, serial device or MQTT terminal id (informative; the collector reads site.yaml)'),
  profile: z.string().default('sim-terminal-v1').describe('meter profile (register map) id'),
  memoryDays: z.number().int().positive().default(30).describe('days of interval records the terminal keeps (how far back backfill can reach)'),
});
const meter = z.strictObject({
  id: id.describe('unique id within its section'),
  serial: z.string().describe('serial number on the nameplate'),
  profile: z.string().default('sim-terminal-v1').describe('meter profile (register map) id'),
  terminal: id.optional().describe('id of the terminal it sits behind'),
  unitId: z.number().int().min(1).max(247).optional().describe('Modbus unit id behind the terminal'),
  capacity: registerValue.default(DEFAULT_REGISTER_CAPACITY).describe('register capacity in kWh: the value at which registers wrap to 0 (default 1 000 000.00)'),
  primaryValues: z.boolean().default(false).describe('the meter already registers primary values (multiplier 1)'),
});
const count = (min: number, max: number) => z.number().int().min(min).max(max);
/**
 * Limits of the interval-level checks (the engine's `IntervalLimits`, plus the missing-data
 * allowance). Every field optional: an absent one keeps its default (operations guide §4).
 */
export const checkLimitsSchema = z.strictObject({
  touToleranceSteps: count(0, 1_000_000).optional().describe('tou-mismatch: |Σ tier deltas − total delta| allowed per interval, register steps (default 4)'),
  reverseToleranceSteps: count(0, 1_000_000).optional().describe('reverse-energy: export steps per interval tolerated on an import-only point (default 0)'),
  frozenIntervals: count(1, 672).optional().describe('frozen-reading: unchanged intervals in a row on a loaded point (default 4; at most 672)'),
  stuckIntervals: count(2, 672).optional().describe('outlier (stuck): intervals a total stands still while its tiers move (default 4; from 2, so a stuck run is never a single interval\'s other outlier; at most 672)'),
  spikeFactor: z.number().gt(1).optional().describe('outlier (spike): factor above both neighbouring intervals (default 10)'),
  spikeMinSteps: count(0, 1_000_000_000).optional().describe('outlier (spike): least steps of a spike (default 100)'),
  demandJumpPercent: z.number().positive().optional().describe('demand-jump: change from the previous interval, percent (default 200)'),
  demandMinSteps: count(1, 1_000_000_000).optional().describe('demand-jump: least steps of the previous interval (default 100)'),
  missingAllowedIntervals: count(0, 672).optional().describe('missing-data: a run of at most this many missing intervals is tolerated (default 0; at most 672)'),
});

/** Check limits of a point, as given in the archive (absent fields keep the defaults). */
export type CheckLimits = z.output<typeof checkLimitsSchema>;

const point = z.strictObject({
  ...equipment,
  ctRatio: ratio.default('1').describe('CT ratio as primary/secondary quotient, e.g. 120 for 600/5'),
  ptRatio: ratio.default('1').describe('PT ratio as a quotient, e.g. 100 for 10 kV/100 V'),
  timeZone: zone.describe('IANA time zone of its days and months'),
  intervalMinutes: z.union([z.literal(1), z.literal(5), z.literal(15), z.literal(30), z.literal(60)], { error: 'one of 1, 5, 15, 30 or 60 (minutes)' }).default(15).describe("interval length; must divide the zone's UTC offset (60 does not fit UTC+05:30)"),
  directions: z.array(z.enum(DIRECTIONS)).default([...DIRECTIONS]).describe('directions that take part in computation'),
  importOnly: z.boolean().default(false).describe('no export can flow here: export energy raises reverse-energy'),
  maxIntervalEnergy: registerValue.optional().describe('physical maximum of one interval, primary kWh (default: a tenth of the register range × multiplier); above it: outlier'),
  dailyMin: registerValue.optional().describe('lower limit of daily ap_imp.total energy, primary kWh (energy-limit)'),
  dailyMax: registerValue.optional().describe('upper limit of daily ap_imp.total energy, primary kWh (energy-limit)'),
  monthlyMin: registerValue.optional().describe('lower limit of monthly ap_imp.total energy, primary kWh (energy-limit)'),
  monthlyMax: registerValue.optional().describe('upper limit of monthly ap_imp.total energy, primary kWh (energy-limit)'),
  voltageKv: z.number().positive().optional().describe('nominal voltage, kV'),
  checks: checkLimitsSchema.optional().describe("limits of the interval checks for this point; each field given overrides the file's `checks`"),
});
const installation = z.strictObject({
  point: id.describe('metering point id'),
  meter: id.describe('meter id'),
  installedAt: instant.describe('when the meter was installed, ISO 8601 with offset'),
  removedAt: instant.optional().describe('when it was removed (after installedAt)'),
  initial: registerSet.describe('register readings at installation, by register code (kWh/kvarh)'),
  final: registerSet.optional().describe('register readings at removal'),
});
const ratioChange = z.strictObject({
  point: id,
  effectiveAt: instant.describe('when the new ratios apply'),
  ctRatio: ratio.describe('new CT ratio'),
  ptRatio: ratio.describe('new PT ratio'),
  reading: registerSet.optional().describe('register readings of the meter at the change, by register code (kWh/kvarh); without them a reading stamped exactly effectiveAt is needed, else the day and month of the change stay missing'),
});
const bypass = z.strictObject({ point: id.describe('the feeder point carried'), via: id.describe('the bypass point carrying it'), startedAt: instant, endedAt: instant.optional().describe('omit while the bypass lasts') });
const member = z.strictObject({ point: id, direction: z.enum(DIRECTIONS).default('ap_imp').describe('register direction counted'), role: z.enum(['in', 'out']).describe('in: energy into the object; out: energy leaving it'), sign: z.union([z.literal(1), z.literal(-1)]).default(1).describe('-1 counts the energy negatively') });
const object = z.strictObject({
  id: id.describe('unique id within its section'),
  kind: z.enum(['bus', 'line', 'transformer', 'custom']).describe('decides the rule: bus-imbalance, line-loss or transformer-loss (custom: none)'),
  ref: id.optional().describe('id of the bus, line or transformer'),
  name: z.string(),
  voltageKv: z.number().positive().optional().describe('voltage level, kV (a bus at 220 kV and above defaults to ±1 %, below to ±2 %); omitted: that of the bus or line named by `ref`'),
  limits: z.strictObject({ lowerPercent: z.number().optional(), upperPercent: z.number().optional() }).default({}).describe('lowerPercent and upperPercent of the loss rate (defaults by kind, see the operations guide)'),
  members: z.array(member).min(1).describe('points whose energy flows in and out'),
});
const tariff = tariffSpecSchema.extend({ id: id.describe('unique id within its section'), name: z.string(), effectiveFrom: z.iso.date().describe('first local day in force'), effectiveTo: z.iso.date().optional().describe('last local day in force (inclusive); omit while open-ended') });
const account = z.strictObject({ id: id.describe('unique id within its section'), name: z.string(), tariff: id.describe('tariff id (any tariff of its schedule)'), members: z.array(z.strictObject({ point: id, sign: z.union([z.literal(1), z.literal(-1)]).default(1).describe('-1 subtracts the point (e.g. a sub-meter)') })).min(1).describe('points billed on the account') });

/**
 * The statistical scheme: where days start and billing months close, in every point's zone.
 * Stored as JSON; the engine validates it again (calc-engine `statisticalScheme`).
 */
export const schemeSchema = z
  .strictObject({
    dayStartHour: count(0, 23).default(0).describe('local hour a day starts at (default 0)'),
    monthCloseDay: count(1, 28).default(1).describe('day of the month the billing month closes on, 1…28 (default 1: calendar months)'),
    monthCloseHour: count(0, 23).optional().describe('local hour of the close; must equal dayStartHour, so a month is whole days (default: dayStartHour)'),
    monthLabel: z.enum(['start', 'end']).default('start').describe("which month names a billing month: 'start' (October runs from its close in October) or 'end' (October closes on the close day of October)"),
  })
  .superRefine((s, ctx) => {
    if (s.monthCloseHour !== undefined && s.monthCloseHour !== s.dayStartHour) ctx.addIssue({ code: 'custom', path: ['monthCloseHour'], message: `must equal dayStartHour (${s.dayStartHour}), or a month would not be a whole number of days` });
  })
  .transform((s) => ({ dayStartHour: s.dayStartHour, monthCloseDay: s.monthCloseDay, monthCloseHour: s.dayStartHour, monthLabel: s.monthLabel }));

/** A validated statistical scheme. */
export type Scheme = z.output<typeof schemeSchema>;

/** The archive file's schema. */
export const archiveSchema = z.strictObject({
  scheme: schemeSchema.optional().describe('statistical scheme of all points (default: days from 00:00, calendar months); changing it recomputes every figure, and is refused while a month is settled'),
  checks: checkLimitsSchema.optional().describe('limits of the interval checks for every point of this file (a point\'s own `checks` override them field by field)'),
  substations: z.array(substation).default([]),
  buses: z.array(z.strictObject({ ...equipment, voltageKv: z.number().positive() })).default([]),
  lines: z.array(z.strictObject({ ...equipment, voltageKv: z.number().positive() })).default([]),
  transformers: z.array(z.strictObject({ ...equipment, ratedKva: z.number().positive() })).default([]),
  terminals: z.array(terminal).default([]),
  meters: z.array(meter).default([]),
  points: z.array(point).default([]),
  installations: z.array(installation).default([]),
  ratioChanges: z.array(ratioChange).default([]),
  bypasses: z.array(bypass).default([]),
  objects: z.array(object).default([]),
  tariffs: z.array(tariff).default([]),
  accounts: z.array(account).default([]),
});

/** A validated archive. Register sets are arrays of 20 integer hundredths (null = not given). */
export type Archive = z.output<typeof archiveSchema>;

/**
 * The zone's offset (e.g. `+05:30`) when `minutes`-long intervals cut on a UTC-aligned grid would
 * not start on its local hours, in winter or summer; undefined when they fit.
 */
function gridMisfit(zone: string, minutes: number): string | undefined {
  const year = DateTime.utc().year;
  for (const month of [1, 7]) {
    const t = DateTime.fromObject({ year, month, day: 1 }, { zone });
    if (t.offset % minutes !== 0) return t.toFormat('ZZ');
  }
  return undefined;
}

/** Existing ids in the database that an archive may reference without redefining them. */
export type KnownIds = Partial<Record<'substation' | 'terminal' | 'meter' | 'point' | 'tariff', ReadonlySet<string>>>;

/**
 * Parse and validate an archive file's text: syntax, schema, references between entities
 * (against the file itself and `known` ids already stored) and duplicate ids.
 */
export function parseArchive(text: string, file: string, known: KnownIds = {}): Archive {
  const a = parseYaml(archiveSchema, text, file);
  const problems: InputProblem[] = [];
  const ids = (list: { id: string }[], kind: keyof KnownIds) => new Set([...list.map((x) => x.id), ...(known[kind] ?? [])]);
  const sets = {
    substation: ids(a.substations, 'substation'),
    terminal: ids(a.terminals, 'terminal'),
    meter: ids(a.meters, 'meter'),
    point: ids(a.points, 'point'),
    tariff: ids(a.tariffs, 'tariff'),
  };
  const check = (section: keyof Archive, index: number, field: string, value: string | undefined, kind: keyof typeof sets, sub: (string | number)[] = []) => {
    if (value === undefined || sets[kind].has(value)) return;
    const path = [section, index, ...sub, field];
    problems.push({ file, line: yamlLineOf(text, path), field: path.join('.').replace(/\.(\d+)/g, '[$1]'), message: `unknown ${kind} '${value}'` });
  };
  for (const section of ['substations', 'buses', 'lines', 'transformers', 'terminals', 'meters', 'points', 'objects', 'tariffs', 'accounts'] as const) {
    const seen = new Set<string>();
    (a[section] as { id: string }[]).forEach((x, i) => {
      if (seen.has(x.id)) problems.push({ file, line: yamlLineOf(text, [section, i, 'id']), field: `${section}[${i}].id`, message: `duplicate id '${x.id}'` });
      seen.add(x.id);
    });
  }
  for (const s of ['buses', 'lines', 'transformers', 'terminals', 'points'] as const) a[s].forEach((x, i) => check(s, i, 'substation', x.substation, 'substation'));
  a.meters.forEach((m, i) => check('meters', i, 'terminal', m.terminal, 'terminal'));
  a.points.forEach((p, i) => {
    const off = gridMisfit(p.timeZone, p.intervalMinutes);
    if (off !== undefined) {
      problems.push({ file, line: yamlLineOf(text, ['points', i, 'intervalMinutes']), field: `points[${i}].intervalMinutes`, message: `${p.intervalMinutes}-minute intervals do not fit ${p.timeZone} (UTC${off}): intervals are cut on a grid from UTC midnight, so local hours would fall inside them; use intervals that divide the zone's offset (15 minutes fit every zone)` });
    }
  });
  a.installations.forEach((x, i) => {
    check('installations', i, 'point', x.point, 'point');
    check('installations', i, 'meter', x.meter, 'meter');
    if (x.removedAt && x.removedAt <= x.installedAt) problems.push({ file, line: yamlLineOf(text, ['installations', i, 'removedAt']), field: `installations[${i}].removedAt`, message: 'must be after installedAt' });
  });
  a.ratioChanges.forEach((x, i) => check('ratioChanges', i, 'point', x.point, 'point'));
  const at = (path: (string | number)[], message: string) => problems.push({ file, line: yamlLineOf(text, path), field: path.join('.').replace(/\.(\d+)/g, '[$1]'), message });
  a.bypasses.forEach((x, i) => {
    check('bypasses', i, 'point', x.point, 'point');
    check('bypasses', i, 'via', x.via, 'point');
    if (x.via === x.point) at(['bypasses', i, 'via'], 'a point cannot carry itself; name the bypass point');
    if (x.endedAt && x.endedAt <= x.startedAt) at(['bypasses', i, 'endedAt'], 'must be after startedAt');
  });
  // Keys the database holds once: a second entry would fail there without file or line.
  const once = <T>(section: keyof Archive, list: readonly T[], field: string, key: (x: T) => string, what: string, sub: (i: number) => (string | number)[] = (i) => [section, i, field]) => {
    const seen = new Set<string>();
    list.forEach((x, i) => {
      if (seen.has(key(x))) at(sub(i), `${what} given twice`);
      seen.add(key(x));
    });
  };
  once('installations', a.installations, 'installedAt', (x) => `${x.point}|${x.installedAt.getTime()}`, 'an installation at this point and time');
  once('ratioChanges', a.ratioChanges, 'effectiveAt', (x) => `${x.point}|${x.effectiveAt.getTime()}`, 'a ratio change at this point and time');
  once('bypasses', a.bypasses, 'startedAt', (x) => `${x.point}|${x.startedAt.getTime()}`, 'a bypass of this point starting then');
  a.objects.forEach((o, i) => once('objects', o.members, 'point', (m) => `${m.point}|${m.direction}|${m.role}`, 'a member with this point, direction and role', (j) => ['objects', i, 'members', j, 'point']));
  a.accounts.forEach((acc, i) => once('accounts', acc.members, 'point', (m) => m.point, 'this member point', (j) => ['accounts', i, 'members', j, 'point']));
  const days = a.tariffs.map((t, index) => ({ index, id: t.id, schedule: t.schedule ?? t.id, from: t.effectiveFrom, to: t.effectiveTo ?? null }));
  for (const t of days) {
    const p = tariffDaysProblem(t);
    if (p) at(['tariffs', t.index, p.field], p.message);
  }
  for (const p of tariffSchedules(days).overlaps) at(['tariffs', p.tariff.index, p.field], p.message);
  a.objects.forEach((o, i) => o.members.forEach((m, j) => check('objects', i, 'point', m.point, 'point', ['members', j])));
  a.accounts.forEach((acc, i) => {
    check('accounts', i, 'tariff', acc.tariff, 'tariff');
    acc.members.forEach((m, j) => check('accounts', i, 'point', m.point, 'point', ['members', j]));
  });
  if (problems.length > 0) throw new InputError(problems);
  return a;
}
