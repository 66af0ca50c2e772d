/** The site config (`site.yaml`) schema: terminals, transports, profiles, meters, timing. */
import { z } from 'zod';
import { PROFILES } from '../profiles/index.ts';

const ms = z.number().int().positive();

const modbusTcp = z.strictObject({
  kind: z.literal('modbus-tcp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(502),
  timeoutMs: ms.default(1000),
  connectTimeoutMs: ms.default(3000),
  maxInFlight: z.number().int().min(1).max(16).default(1),
});

const modbusRtu = z.strictObject({
  kind: z.literal('modbus-rtu'),
  path: z.string().min(1),
  baudRate: z.number().int().positive().default(9600),
  parity: z.enum(['none', 'even', 'odd']).default('even'),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
  timeoutMs: ms.default(1000),
  interFrameMs: z.number().positive().optional(),
});

const mqttTransport = z.strictObject({
  kind: z.literal('mqtt'),
  url: z.string().min(1).optional(),
  historyTimeoutMs: ms.default(10_000),
});

const meter = z.strictObject({
  unitId: z.number().int().min(0).max(255),
  point: z.string().min(1),
});

const terminal = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only (it is an MQTT topic level)'),
  profile: z.string().refine((p) => PROFILES.has(p), { message: `unknown profile; known: ${[...PROFILES.keys()].join(', ')}` }),
  transport: z.discriminatedUnion('kind', [modbusTcp, modbusRtu, mqttTransport]),
  meters: z.array(meter).min(1),
  intervalSeconds: z.number().int().positive().optional(),
  offsetSeconds: z.number().int().nonnegative().optional(),
  timeoutMs: ms.optional(),
  retries: z.number().int().min(0).max(10).optional(),
  maxGap: z.number().int().min(0).max(124).optional(),
  maxRequest: z.number().int().min(1).max(125).optional(),
});

/** The `site.yaml` schema. */
export const siteSchema = z
  .strictObject({
    site: z.string().min(1),
    intervalSeconds: z.number().int().positive().default(900),
    offsetSeconds: z.number().int().nonnegative().default(10),
    timeoutMs: ms.default(10_000),
    retries: z.number().int().min(0).max(10).default(2),
    breaker: z
      .strictObject({ failureThreshold: z.number().int().positive().default(3), cooldownMs: ms.default(30_000), maxCooldownMs: ms.default(600_000) })
      .prefault({}),
    spool: z.strictObject({ path: z.string().min(1).default('./data/collector.spool'), maxBytes: z.number().int().positive().default(256 * 1024 * 1024) }).prefault({}),
    mqtt: z.strictObject({ url: z.string().min(1), shareGroup: z.string().min(1).optional() }).optional(),
    terminals: z.array(terminal).min(1),
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
