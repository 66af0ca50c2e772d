/**
 * The archive file (`meterflow import archive <file.yaml>`): substations down to metering
 * points, installation history, CT/PT changes, bypasses, statistical objects, tariffs and
 * accounts. Validated with zod; every problem names file, line and field.
 */
import { z } from 'zod';
import { DateTime } from 'luxon';
import { DIRECTIONS, REGISTER_CODES, REGISTER_COUNT, parseRegisterValue, type RegisterCode } from './registers.ts';
import { InputError, parseYaml, yamlLineOf, type InputProblem } from './located.ts';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'an id: letters, digits and _ . : - only');
/** An instant with an explicit offset, e.g. 2026-10-01T00:00:00+02:00. */
export const instant = z
  .string()
  .refine((s) => /(Z|[+-]\d{2}:?\d{2})$/.test(s) && DateTime.fromISO(s, { setZone: true }).isValid, 'an ISO 8601 time with offset, e.g. 2026-10-01T00:00:00+02:00')
  .transform((s) => DateTime.fromISO(s).toJSDate());
const zone = z.string().refine((s) => DateTime.now().setZone(s).isValid, 'an IANA time zone such as Europe/Berlin');
const ratio = z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?$/)]).transform(String);
/** A register value in kWh/kvarh with at most two decimals, as integer hundredths. */
export const registerValue = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const n = parseRegisterValue(String(v));
    if (n === undefined) ctx.addIssue({ code: 'custom', message: 'a non-negative decimal with at most 2 decimals' });
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

const substation = z.strictObject({ id, name: z.string(), timeZone: zone.default('UTC') });
const equipment = { id, substation: id, name: z.string() };
const terminal = z.strictObject({
  ...equipment,
  transport: z.enum(['modbus-tcp', 'modbus-rtu', 'mqtt']),
  address: z.string(),
  profile: z.string().default('sim-terminal-v1'),
  memoryDays: z.number().int().positive().default(30),
});
const meter = z.strictObject({
  id,
  serial: z.string(),
  profile: z.string().default('sim-terminal-v1'),
  terminal: id.optional(),
  unitId: z.number().int().min(1).max(247).optional(),
  capacity: registerValue.default(100_000_000),
  primaryValues: z.boolean().default(false),
});
const point = z.strictObject({
  ...equipment,
  ctRatio: ratio.default('1'),
  ptRatio: ratio.default('1'),
  timeZone: zone,
  intervalMinutes: z.union([z.literal(1), z.literal(5), z.literal(15), z.literal(30), z.literal(60)]).default(15),
  directions: z.array(z.enum(DIRECTIONS)).default([...DIRECTIONS]),
  importOnly: z.boolean().default(false),
  maxIntervalEnergy: registerValue.optional(),
  dailyMin: registerValue.optional(),
  dailyMax: registerValue.optional(),
  voltageKv: z.number().positive().optional(),
});
const installation = z.strictObject({ point: id, meter: id, installedAt: instant, removedAt: instant.optional(), initial: registerSet, final: registerSet.optional() });
const ratioChange = z.strictObject({ point: id, effectiveAt: instant, ctRatio: ratio, ptRatio: ratio });
const bypass = z.strictObject({ point: id, via: id, startedAt: instant, endedAt: instant.optional() });
const member = z.strictObject({ point: id, direction: z.enum(DIRECTIONS).default('ap_imp'), role: z.enum(['in', 'out']), sign: z.union([z.literal(1), z.literal(-1)]).default(1) });
const object = z.strictObject({
  id,
  kind: z.enum(['bus', 'line', 'transformer', 'custom']),
  ref: id.optional(),
  name: z.string(),
  voltageKv: z.number().positive().optional(),
  limits: z.record(z.string(), z.number()).default({}),
  members: z.array(member).min(1),
});
const tariff = z.looseObject({ id, name: z.string(), effectiveFrom: z.iso.date(), effectiveTo: z.iso.date().optional() });
const account = z.strictObject({ id, name: z.string(), tariff: id, members: z.array(z.strictObject({ point: id, sign: z.union([z.literal(1), z.literal(-1)]).default(1) })).min(1) });

/** The archive file's schema. */
export const archiveSchema = z.strictObject({
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
  a.installations.forEach((x, i) => {
    check('installations', i, 'point', x.point, 'point');
    check('installations', i, 'meter', x.meter, 'meter');
    if (x.removedAt && x.removedAt <= x.installedAt) problems.push({ file, line: yamlLineOf(text, ['installations', i, 'removedAt']), field: `installations[${i}].removedAt`, message: 'must be after installedAt' });
  });
  a.ratioChanges.forEach((x, i) => check('ratioChanges', i, 'point', x.point, 'point'));
  a.bypasses.forEach((x, i) => {
    check('bypasses', i, 'point', x.point, 'point');
    check('bypasses', i, 'via', x.via, 'point');
  });
  a.objects.forEach((o, i) => o.members.forEach((m, j) => check('objects', i, 'point', m.point, 'point', ['members', j])));
  a.accounts.forEach((acc, i) => {
    check('accounts', i, 'tariff', acc.tariff, 'tariff');
    acc.members.forEach((m, j) => check('accounts', i, 'point', m.point, 'point', ['members', j]));
  });
  if (problems.length > 0) throw new InputError(problems);
  return a;
}

/** Registers of a set that were given, for checks that need all 20. */
export function isCompleteRegisterSet(values: readonly (number | null)[]): boolean {
  return values.length === REGISTER_COUNT && values.every((v) => v !== null);
}
