import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiClient, type ApiClient } from '@txn/api-client';
import { loadPlatformConfig, readStaffSigningJwk } from '@txn/infra-local';
import { composeDown, composeUp, writeComposeSecrets } from '../../src/commands/compose';
import { buildImages, run } from '../../src/commands/images-build';
import { registerResourceThroughApi, requestBookingThroughApi } from '../../src/commands/demo-api';
import { mintStaffToken } from '../../src/commands/token';

/**
 * The whole platform from docker-compose.yml through podman: images of the tree under test (any
 * whose inputs label differs from this tree's inputs digest rebuilt first, decision 0041),
 * health-checked start order, one booking saga through the gateway's API to CONFIRMED and the
 * ledger proven clean inside the ledger's container, a service stopped by SIGTERM exiting 0 after
 * its orderly shutdown, and nothing left behind.
 * Every host port moved (+10000 on platform.json's), so it runs beside a running `./platform up`.
 */

const PROJECT = 'txn-compose-test';
const PORTS = { TXN_GATEWAY_API_PORT: 28500, TXN_GATEWAY_PORT: 28504, TXN_WEBHOOK_INGRESS_PORT: 28510, TXN_POSTGRES_PORT: 25432, TXN_KAFKA_PORT: 29092, TXN_SCHEMA_REGISTRY_PORT: 28081, TXN_PSP_SANDBOX_PORT: 28420, TXN_PSP_PROXY_PORT: 28421 };
const GATEWAY = `http://127.0.0.1:${PORTS.TXN_GATEWAY_API_PORT}`;
const BUILD_AND_UP_TIMEOUT_MS = 25 * 60_000;
const SAGA_TIMEOUT_MS = 90_000;
const POLL_MS = 500;
/** docker-compose.yml's stop_grace_period for the services; the service kit's own limit is 25 s. */
const GRACE_S = 30;

const config = loadPlatformConfig();
const secretsBase = mkdtempSync(join(tmpdir(), 'txn-compose-'));
const options = { project: PROJECT, ports: PORTS, secretsDir: join(secretsBase, 'secrets') };
let env: NodeJS.ProcessEnv = {};

function compose(args: readonly string[], timeout_ms = 120_000): Promise<string> {
  return run('docker-compose', ['-f', 'docker-compose.yml', ...args], env, { timeout_ms, cwd: config.rootDir, quiet: true });
}

async function merchantClient(merchantId: string): Promise<ApiClient> {
  const token = await mintStaffToken(readStaffSigningJwk(secretsBase), { roles: ['platform-admin'], subject: 'compose-test', ttl_s: 600 }, new Date());
  const admin = createApiClient(GATEWAY, token);
  const merchant = await admin.POST('/v1/merchants', { body: { id: merchantId, name: 'Compose test merchant', defaultCurrency: 'EUR' } });
  expect(merchant.response.status).toBe(201);
  const key = await admin.POST('/v1/api-keys', { body: { name: 'compose-test', role: 'developer' }, headers: { 'Txn-Merchant': merchantId } });
  if (key.data === undefined || !('key' in key.data)) throw new Error(`no API key: ${key.response.status}`);
  return createApiClient(GATEWAY, key.data.key);
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeout_ms: number): Promise<T> {
  const deadline_ms = Date.now() + timeout_ms;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline_ms) throw new Error(`${what} within ${timeout_ms} ms`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, POLL_MS));
  }
}

beforeAll(async () => {
  writeComposeSecrets(config, options.secretsDir);
  expect(await buildImages(config, [], { force: false })).toBe(0);
  env = await composeUp(config, options);
}, BUILD_AND_UP_TIMEOUT_MS);

afterAll(async () => {
  await composeDown(config, options);
  rmSync(secretsBase, { recursive: true, force: true });
  const left = await run('podman', ['ps', '-a', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.Names}}'], env, { timeout_ms: 30_000, quiet: true });
  const volumes = await run('podman', ['volume', 'ls', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.Name}}'], env, { timeout_ms: 30_000, quiet: true });
  const networks = await run('podman', ['network', 'ls', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.Name}}'], env, { timeout_ms: 30_000, quiet: true });
  expect({ containers: left.trim(), volumes: volumes.trim(), networks: networks.trim() }).toEqual({ containers: '', volumes: '', networks: '' });
}, 5 * 60_000);

describe('the platform from docker-compose.yml (podman)', () => {
  it('confirms a booking made through the gateway, and the ledger proves its books', async () => {
    const api = await merchantClient(`compose-${Date.now()}`);
    await registerResourceThroughApi(api, 'room-1', 'Room 1');
    const startsAt = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 3 * 86_400_000);
    const id = await requestBookingThroughApi(api, { resourceId: 'room-1', startsAt, endsAt: new Date(startsAt.getTime() + 3_600_000), amountMinor: 5000n, currency: 'EUR', customerId: 'customer-1', customerEmail: 'customer-1@example.test' });
    const status = await until('the booking settled', async () => {
      const read = await api.GET('/v1/bookings/{id}', { params: { path: { id } } });
      return ['CONFIRMED', 'CANCELLED', 'EXPIRED', 'FAILED'].includes(read.data?.status ?? '') ? read.data?.status : undefined;
    }, SAGA_TIMEOUT_MS);
    expect(status).toBe('CONFIRMED');
    // The ledger's own proof, run in its container with its settings: exit 0 = clean books.
    const verify = await compose(['exec', '-T', 'ledger', 'node', '--import', 'tsx', 'services/ledger/src/verify-main.ts']);
    expect(verify).toMatch(/\S/);
  }, SAGA_TIMEOUT_MS * 3);

  it('stops a service on SIGTERM within its grace period: an orderly shutdown, exit 0', async () => {
    const container = (await compose(['ps', '-q', 'audit'])).trim();
    const started_ms = Date.now();
    await run('podman', ['stop', '--time', String(GRACE_S), container], env, { timeout_ms: (GRACE_S + 15) * 1000, quiet: true });
    const stopped_s = (Date.now() - started_ms) / 1000;
    const exitCode = (await run('podman', ['inspect', '--format', '{{.State.ExitCode}}', container], env, { timeout_ms: 30_000, quiet: true })).trim();
    const logs = await run('podman', ['logs', '--tail', '50', container], env, { timeout_ms: 30_000, quiet: true });
    expect({ exitCode, withinGrace: stopped_s < GRACE_S }).toEqual({ exitCode: '0', withinGrace: true });
    expect(logs).toContain('"msg":"service stopping"');
    expect(logs).toContain('"msg":"service stopped"');
  }, 90_000);
});
