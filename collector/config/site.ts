/** The site config (`site.yaml`) schema: terminals, transports, profiles, meters, timing. */
import { z } from 'zod';
import { PROFILES } from '../profiles/index.ts';

const ms = z.number().int().positive();

const modbusTcp = z.strictObject({
  kind: z.literal('modbus-tcp'),
  host: z.string().min(1).describe('gateway or terminal host name or IP address'),
  port: z.number().int().min(1).max(65535).default(502),
  timeoutMs: ms.default(1000).describe('answer timeout of one request, ms'),
  connectTimeoutMs: ms.default(3000).describe('TCP connect timeout, ms'),
  maxInFlight: z.number().int().min(1).max(16).default(1).describe('requests outstanding at once on the connection (matched by transaction id)'),
});

const modbusRtu = z.strictObject({
  kind: z.literal('modbus-rtu'),
  path: z.string().min(1).describe('serial device, e.g. /dev/ttyUSB0; terminals naming the same path share one bus'),
  baudRate: z.number().int().positive().default(9600).describe('as set on the meters'),
  parity: z.enum(['none', 'even', 'odd']).default('even').describe('as set on the meters'),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1).describe('as set on the meters'),
  timeoutMs: ms.default(1000).describe('answer timeout of one request, ms'),
  interFrameMs: z.number().positive().optional().describe('silence between frames, ms (default 3.5 character times; 1.75 ms above 19200 baud)'),
});

const mqttTransport = z.strictObject({
  kind: z.literal('mqtt'),
  url: z.string().min(1).optional().describe('broker URL (default: the top-level mqtt.url)'),
  historyTimeoutMs: ms.default(10_000).describe('wait for a history (backfill) answer, ms'),
});

const meter = z.strictObject({
  unitId: z.number().int().min(0).max(255).describe('Modbus unit id of the meter behind the terminal'),
  point: z.string().min(1).describe('metering point id in the archive'),
});

const terminal = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only (it is an MQTT topic level)').describe('terminal id, unique in the site'),
  profile: z.string().refine((p) => PROFILES.has(p), { message: `unknown profile; known: ${[...PROFILES.keys()].join(', ')}` }).describe(`meter profile (register map): ${[...PROFILES.keys()].join(', ')}`),
  transport: z.discriminatedUnion('kind', [modbusTcp, modbusRtu, mqttTransport]).describe('how the terminal is reached'),
  meters: z.array(meter).min(1).describe('meters behind the terminal'),
  intervalSeconds: z.number().int().positive().optional().describe('overrides the site value'),
  offsetSeconds: z.number().int().nonnegative().optional().describe('overrides the site value'),
  timeoutMs: ms.optional().describe('overrides the site value'),
  retries: z.number().int().min(0).max(10).optional().describe('overrides the site value'),
  maxGap: z.number().int().min(0).max(124).optional().describe("unwanted registers a merged request may span (default: the profile's)"),
  maxRequest: z.number().int().min(1).max(125).optional().describe('registers per request at most (default 125)'),
  /**
   * What a routine poll stores for an interval: `registers` (the registers as read just after
   * the boundary) or `load-profile` (the record the meter froze at the boundary, exact).
   */
  pollFrom: z.enum(['registers', 'load-profile']).default('registers').describe('registers: as read just after the boundary; load-profile: the record the meter froze at the boundary'),
  /** Check the meters' loss-of-voltage records on every poll (backfill after a power-up). */
  outageCheck: z.boolean().default(true).describe("check the meters' loss-of-voltage records on every poll (backfill after a power-up)"),
});

/** The `site.yaml` schema. */
export const siteSchema = z
  .strictObject({
    site: z.string().min(1).describe('site name, for logs and health'),
    intervalSeconds: z.number().int().positive().default(900).describe('poll every this many seconds, on boundaries'),
    offsetSeconds: z.number().int().nonnegative().default(10).describe('poll this long after each boundary'),
    timeoutMs: ms.default(10_000).describe('one scheduled attempt, ms'),
    retries: z.number().int().min(0).max(10).default(2).describe('attempts after the first, with back-off'),
    clockDriftSeconds: z.number().int().positive().default(120).describe('clock-drift alarm when a meter clock is further than this from the collector\'s, seconds (critical beyond twice it)'),
    breaker: z
      .strictObject({
        failureThreshold: z.number().int().positive().default(3).describe('failed polls in a row that open the circuit'),
        cooldownMs: ms.default(30_000).describe('first pause of an open circuit, ms'),
        maxCooldownMs: ms.default(600_000).describe('longest pause (the pause doubles), ms'),
      })
      .prefault({})
      .describe("per-terminal circuit breaker: a dead terminal is not polled for a while"),
    spool: z
      .strictObject({
        path: z.string().min(1).default('./data/collector.spool').describe('spool file (with a .offset side file); on a disk that survives a reboot'),
        maxBytes: z.number().int().positive().default(256 * 1024 * 1024).describe('size bound; when full new readings are not stored'),
      })
      .prefault({})
      .describe('where readings wait while the database is away'),
    mqtt: z
      .strictObject({ url: z.string().min(1).describe('broker URL'), shareGroup: z.string().min(1).optional().describe('MQTT shared-subscription group ($share/<group>/…) so several collectors split the pushes') })
      .optional()
      .describe('the broker for MQTT terminals'),
    backfill: z
      .strictObject({
        sweepSeconds: z.number().nonnegative().default(900).describe('periodic sweep for missing records, seconds of wall time (0 = only on triggers)'),
        lookbackDays: z.number().positive().default(62).describe('how far back to look for missing records, days'),
        chunk: z.number().int().min(1).max(1000).default(16).describe('records fetched per scheduled job'),
      })
      .prefault({})
      .describe("fetching missed intervals from the meters' load profiles"),
    terminals: z.array(terminal).min(1).describe('the terminals this collector reads'),
  })
  .superRefine((site, ctx) => {
    const seenTerminals = new Map<string, number>();
    const seenPoints = new Map<string, string>();
    site.terminals.forEach((t, i) => {
      if (seenTerminals.has(t.id)) ctx.addIssue({ code: 'custom', path: ['terminals', i, 'id'], message: `duplicate terminal id ${t.id}` });
      seenTerminals.set(t.id, i);
      const units = new Set<number>();
      t.meters.forEach((m, j) => {
        if (units.has(m.unitId)) ctx.addIssue({ code: 'custom', path: ['terminals', i, 'meters', j, 'unitId'], message: `duplicate unit id ${m.unitId} on terminal ${t.id}` });
        units.add(m.unitId);
        const other = seenPoints.get(m.point);
        if (other) ctx.addIssue({ code: 'custom', path: ['terminals', i, 'meters', j, 'point'], message: `point ${m.point} already read by ${other}` });
        seenPoints.set(m.point, `${t.id} unit ${m.unitId}`);
      });
      if (t.transport.kind === 'mqtt' && !t.transport.url && !site.mqtt) {
        ctx.addIssue({ code: 'custom', path: ['terminals', i, 'transport', 'url'], message: 'MQTT terminal needs a url here or a top-level mqtt.url' });
      }
    });
  });

/** A validated site config. */
export type SiteConfig = z.output<typeof siteSchema>;
/** One terminal of a site config. */
export type TerminalConfig = SiteConfig['terminals'][number];
