/**
 * Where alarm changes go besides the database: a structured log line each, and an MQTT message
 * on `meterflow/alarms/<object kind>/<object id>/<rule>` (QoS 1, not retained; the payload is the
 * `AlarmEvent` as JSON), so SCADA and on-call tooling hear of them as they happen.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { AlarmEvent, AlarmListener } from './alarms.ts';

/** The topic an alarm event is published on. */
export function alarmTopic(e: AlarmEvent, prefix = 'meterflow/alarms'): string {
  // MQTT topic levels must not hold wildcards or separators; ids rarely do, but never break a topic.
  const level = (s: string) => s.replace(/[/+#]/g, '_');
  return `${prefix}/${level(e.objectKind)}/${level(e.objectId)}/${level(e.rule)}`;
}

/** A listener writing one structured line per alarm change. */
export function logAlarms(log: (line: Record<string, unknown>) => void): AlarmListener {
  return (e) => log({ msg: `alarm ${e.change}`, level: e.change === 'cleared' ? 'info' : e.severity === 'critical' ? 'error' : 'warn', alarm: e });
}

/** An MQTT publisher of alarm changes; `close` ends its connection. */
export interface AlarmPublisher {
  listener: AlarmListener;
  close(): Promise<void>;
}

/**
 * Connect to the broker at `url` and publish every alarm change there. Publishing never holds
 * the engine up: while the broker is away, messages queue in the client and go out on
 * reconnect (the alarms themselves are in the database either way); `onError` hears of failures.
 */
export async function publishAlarms(url: string, opts: { prefix?: string; onError?: (e: Error) => void } = {}): Promise<AlarmPublisher> {
  const client: MqttClient = await mqtt.connectAsync(url, { clientId: `meterflow-engine-${process.pid}-${Date.now() % 100_000}`, reconnectPeriod: 1000, connectTimeout: 10_000 });
  client.on('error', (e) => opts.onError?.(e));
  return {
    listener: (e) => {
      client.publish(alarmTopic(e, opts.prefix), JSON.stringify(e), { qos: 1 }, (err) => err && opts.onError?.(err));
    },
    close: () => client.endAsync(),
  };
}
