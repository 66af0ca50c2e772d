/**
 * Where alarm changes go besides the database: a structured log line each, and an MQTT message
 * on `meterflow/alarms/<object kind>/<object id>/<rule>` (QoS 1, not retained; the payload is the
 * `AlarmEvent` as JSON), so SCADA and on-call tooling hear of them as they happen.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { AlarmEvent, AlarmListener } from '../store/index.ts';

/** The topic an alarm event is published on. */
export function alarmTopic(e: AlarmEvent, prefix = 'meterflow/alarms'): string {
  // MQTT topic levels must not hold wildcards or separators; ids rarely do, but never break a topic.
  const level = (s: string) => s.replace(/[/+#]/g, '_');
  return `${prefix}/${level(e.objectKind)}/${level(e.objectId)}/${level(e.rule)}`;
}

/** A listener writing one structured line per alarm change. */
export function logAlarms(log: (line: Record<string, unknown>) => void): AlarmListener {
  // `error` stays the engine's own failures: an alarm, however severe, is the engine working.
  return (e) => log({ msg: `alarm ${e.change}`, level: e.change === 'cleared' || e.severity === 'info' ? 'info' : 'warn', alarm: e });
}

/** An MQTT publisher of alarm changes; `close` ends its connection. */
export interface AlarmPublisher {
  listener: AlarmListener;
  close(): Promise<void>;
}

/** Messages kept while the broker is away; beyond, the oldest news is dropped (the table keeps all). */
const MAX_QUEUED = 10_000;

/**
 * Publish every alarm change on the broker at `url`. Never holds the engine up: the client
 * connects and reconnects in the background (a broker that is down at start is no reason to stop
 * the engine), messages wait in the client while it is away, up to `MAX_QUEUED`, and `close`
 * gives them a few seconds to go out. `onError` hears of failures.
 */
export function publishAlarms(url: string, opts: { prefix?: string; onError?: (e: Error) => void } = {}): AlarmPublisher {
  const client: MqttClient = mqtt.connect(url, { clientId: `meterflow-engine-${process.pid}-${Date.now() % 100_000}`, reconnectPeriod: 1000, connectTimeout: 10_000 });
  // Reported once per outage, not on every reconnect attempt (one a second).
  let reported = false;
  client.on('error', (e) => {
    if (!reported) (reported = true), opts.onError?.(e);
  });
  client.on('connect', () => (reported = false));
  let pending = 0;
  return {
    listener: (e) => {
      if (pending >= MAX_QUEUED) return opts.onError?.(new Error(`broker away, ${pending} alarm messages waiting: alarm ${e.id} not published (it is in the alarm table)`));
      pending++;
      client.publish(alarmTopic(e, opts.prefix), JSON.stringify(e), { qos: 1 }, (err) => {
        pending--;
        if (err) opts.onError?.(err);
      });
    },
    close: async () => {
      const drained = client.endAsync();
      const late = await Promise.race([drained.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 5000).unref())]);
      if (late) {
        opts.onError?.(new Error(`${pending} alarm messages not delivered before exit (the broker is away); they are in the alarm table`));
        await client.endAsync(true);
      }
    },
  };
}
