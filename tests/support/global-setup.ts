/**
 * Test-run setup: one embedded PostgreSQL for the whole run (the embedded default, exactly as
 * users get it), plus the machine's PostgreSQL and Mosquitto when they answer. Under CI=true
 * the local services must answer: CI runs every database and broker suite against them too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureEmbedded, stopEmbedded } from '../../schema/index.ts';

/** The machine's PostgreSQL (trust auth, database `test`). */
export const LOCAL_PG = process.env.MF_TEST_LOCAL_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The machine's Mosquitto. */
export const LOCAL_MQTT = process.env.MF_TEST_LOCAL_MQTT ?? 'mqtt://127.0.0.1:1883';

async function pgAnswers(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

function tcpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host, port, timeout: 2000 }, () => (s.destroy(), res(true)));
    s.on('error', () => res(false));
    s.on('timeout', () => (s.destroy(), res(false)));
  });
}

declare module 'vitest' {
  export interface ProvidedContext {
    embeddedUrl: string;
    embeddedDataDir: string;
    localPgUrl: string | null;
    localMqttUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'meterflow-test-'));
  const server = await ensureEmbedded(dataDir);
  const local = await pgAnswers(LOCAL_PG);
  const mqttUrl = new URL(LOCAL_MQTT);
  const mqtt = await tcpAnswers(mqttUrl.hostname, Number(mqttUrl.port || 1883));
  if (process.env.CI && (!local || !mqtt)) {
    throw new Error(`CI needs the local services: PostgreSQL at ${LOCAL_PG} ${local ? 'answers' : 'does not answer'}, Mosquitto at ${LOCAL_MQTT} ${mqtt ? 'answers' : 'does not answer'}; .ci/run starts them`);
  }
  if (!local) console.warn(`note: no PostgreSQL at ${LOCAL_PG}; database suites run on the embedded server only`);
  if (!mqtt) console.warn(`note: no Mosquitto at ${LOCAL_MQTT}; broker suites run on the embedded broker only`);
  project.provide('embeddedUrl', server.url);
  project.provide('embeddedDataDir', dataDir);
  project.provide('localPgUrl', local ? LOCAL_PG : null);
  project.provide('localMqttUrl', mqtt ? LOCAL_MQTT : null);
  return async () => {
    await stopEmbedded(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
