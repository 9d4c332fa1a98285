import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { EVENT_TYPES, PspEventReceived } from '@txn/contracts';
import { AvroCodec } from '@txn/messaging';
import { registerSchemas } from '@txn/schema-deploy';
import { baseServiceSettings, Cleanups, collectEvents, createSuiteScope, freePort, secretFiles, testEnvironment, waitFor } from '@txn/testing';

// The ingress as the platform runs it (a process: node --import tsx services/webhook-ingress/src/main.ts),
// SIGKILLed in the middle of a burst of signed deliveries: every delivery it acknowledged is stored
// and published once it is back, whatever it was doing when it died; what it never acknowledged
// the PSP delivers again and it is stored once.

const ROOT_DIR = resolve(__dirname, '..', '..', '..', '..');
const SECRET = `whsec_${randomUUID().replace(/-/g, '')}`;
const DELIVERIES = 240;
const CONCURRENCY = 16;
const KILL_AFTER_ACKNOWLEDGED = 60;
const READY_TIMEOUT_MS = 60_000;
const STEP_TIMEOUT_MS = 30_000;

function signedDelivery(index: number): { eventId: string; body: Buffer; signature: string } {
  const eventId = `evt_burst_${index}_${randomUUID().slice(0, 8)}`;
  const body = Buffer.from(JSON.stringify({ id: eventId, object: 'event', type: 'payment_intent.succeeded', created: Math.floor(Date.now() / 1000), livemode: false, data: { object: { id: `pi_burst_${index}`, object: 'payment_intent', status: 'succeeded', amount: 1_000 + index, currency: 'eur', metadata: { tenant_id: 'merchant-1' } } } }));
  const at = Math.floor(Date.now() / 1000);
  return { eventId, body, signature: `t=${at},v1=${createHmac('sha256', SECRET).update(`${at}.`).update(body).digest('hex')}` };
}

describe('webhook ingress killed with SIGKILL during a burst (a process, real PostgreSQL, Kafka, registry)', () => {
  const cleanups = new Cleanups();
  let child: ChildProcess | undefined;

  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    await cleanups.runAll();
  });

  it('stores and publishes every delivery it acknowledged before the kill; the unacknowledged ones, delivered again, once each', async () => {
    const environment = testEnvironment();
    const scope = await createSuiteScope('ingress-kill');
    cleanups.push(() => scope.dispose());
    // The process names its topic by prefix, as production does (KAFKA_TOPIC_PREFIX): the suite topic is `<prefix>psp.events.v1`.
    // scope.topic('x') is `<suite prefix>x`: the prefix is everything before the base.
    const prefix = scope.topic('x').slice(0, -1);
    const topic = `${prefix}${PspEventReceived.topic}`;
    await scope.createTopics([{ topic, numPartitions: 3 }]);
    const contract = EVENT_TYPES.PspEventReceived;
    await registerSchemas(environment.schemaRegistry.url, { PspEventReceived: { subject: `${topic}-${contract.fullName}`, schema: contract.schema } });
    const database = await scope.database('webhook_ingress');
    const secrets = secretFiles('ingress-kill-');
    cleanups.push(() => secrets.remove());
    const apiPort = await freePort();
    const env = {
      ...process.env,
      ...baseServiceSettings('webhook-ingress', database, secrets.write, 'warn'),
      API_PORT: String(apiPort),
      KAFKA_TOPIC_PREFIX: prefix,
      WEBHOOK_STRIPE_SECRET_FILE: secrets.write('whsec', SECRET),
    };
    const start = async (): Promise<number> => {
      child = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=TimeoutNegativeWarning', join(ROOT_DIR, 'services', 'webhook-ingress', 'src', 'main.ts')], { cwd: ROOT_DIR, env, detached: true, stdio: 'ignore' });
      await waitFor('the ingress to accept deliveries', async () => {
        const response = await fetch(`http://127.0.0.1:${apiPort}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
        return response?.status === 400 ? true : undefined;
      }, READY_TIMEOUT_MS, 200);
      return child.pid ?? 0;
    };
    const firstPid = await start();

    const deliveries = Array.from({ length: DELIVERIES }, (_, index) => signedDelivery(index));
    const acknowledged = new Set<string>();
    let next = 0;
    let killed = false;
    const worker = async (): Promise<void> => {
      while (next < deliveries.length) {
        const delivery = deliveries[next];
        next += 1;
        if (delivery === undefined) return;
        const response = await fetch(`http://127.0.0.1:${apiPort}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': delivery.signature }, body: delivery.body }).catch(() => undefined);
        if (response?.status === 200) acknowledged.add(delivery.eventId);
        if (!killed && acknowledged.size >= KILL_AFTER_ACKNOWLEDGED) {
          killed = true;
          process.kill(-firstPid, 'SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(killed).toBe(true);
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKNOWLEDGED);
    expect(acknowledged.size).toBeLessThan(DELIVERIES);

    const pool = new Pool({ ...database, max: 2 });
    cleanups.push(() => pool.end());
    const stored = async (): Promise<Set<string>> => new Set((await pool.query<{ psp_event_id: string }>('SELECT psp_event_id FROM psp_events')).rows.map((row) => row.psp_event_id));
    // Acknowledged means committed: every one is there before the process is back.
    const afterKill = await stored();
    expect([...acknowledged].filter((eventId) => !afterKill.has(eventId))).toEqual([]);

    // The PSP delivers again what it never saw acknowledged (Stripe retries for days).
    await start();
    for (const delivery of deliveries.filter((candidate) => !acknowledged.has(candidate.eventId))) {
      const response = await fetch(`http://127.0.0.1:${apiPort}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': delivery.signature }, body: delivery.body });
      expect(response.status).toBe(200);
    }
    const events = await pool.query<{ n: number; first: number }>("SELECT count(*)::int AS n, (SELECT count(*)::int FROM webhook_deliveries WHERE first_delivery) AS first FROM psp_events");
    expect(events.rows[0]).toEqual({ n: DELIVERIES, first: DELIVERIES });

    // Every event reaches the topic (the relay publishes what the killed process committed), each
    // under one envelope id; a row published twice across the kill is the same event to every inbox.
    const published = new Map<string, Set<string>>();
    const codec = new AvroCodec({ registryUrl: environment.schemaRegistry.url, clientId: 'ingress-kill-test' });
    const reader = await collectEvents({
      brokers: environment.kafka.brokers,
      clientId: 'ingress-kill-test',
      groupId: scope.groupId('reader'),
      topics: [topic],
      codec,
      collect: ({ value }) => {
        const event = value as PspEventReceived;
        published.set(event.pspEventId, new Set([...(published.get(event.pspEventId) ?? []), event.envelope.eventId]));
      },
    });
    cleanups.push(() => reader.stop());
    await waitFor(`all ${DELIVERIES} events on the topic`, () => (published.size === DELIVERIES ? true : undefined), STEP_TIMEOUT_MS);
    expect([...published.values()].filter((ids) => ids.size !== 1)).toEqual([]);
  }, 180_000);
});
