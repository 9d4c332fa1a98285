import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadPlatformConfig } from '@txn/infra-local';

interface ComposeService {
  image?: string;
  ports?: string[];
}

const root = join(__dirname, '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const config = loadPlatformConfig({}, root);

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** docker-compose.yml (the images of deploy/images) must run what ./platform up runs. */
describe('docker-compose.yml runs what ./platform up runs', () => {
  it('runs every service and component, at the versions platform.json pins', () => {
    expect(service('postgres').image).toBe(`localhost/txn-postgres:${config.postgres.version}`);
    expect(service('kafka').image).toBe(`localhost/txn-kafka:${config.kafka.version}`);
    expect(service('schema-registry').image).toBe(`localhost/txn-schema-registry:${config.schemaRegistry.version}`);
    expect(service('psp-sandbox').image).toBe(`localhost/txn-psp-sandbox:${config.pspSandbox.version}`);
    for (const name of config.services) expect(service(name).image).toMatch(new RegExp(`^localhost/txn-${name}:`));
    const requirements = readFileSync(join(root, 'deploy/local/psp-sandbox/requirements.txt'), 'utf8');
    expect(requirements).toContain(`localstripe==${config.pspSandbox.version}`);
  });

  it('publishes ports on loopback only, by default on the same host ports as ./platform up', () => {
    const published = Object.values(compose.services).flatMap((entry) => entry.ports ?? []);
    for (const port of published) expect(port).toMatch(/^127\.0\.0\.1:\$\{TXN_[A-Z_]+_PORT:-\d+\}:\d+$/);
    expect(service('postgres').ports).toEqual([`127.0.0.1:\${TXN_POSTGRES_PORT:-${config.postgres.port}}:5432`]);
    expect(service('kafka').ports).toEqual([`127.0.0.1:\${TXN_KAFKA_PORT:-${config.kafka.port}}:${config.kafka.port}`]);
    expect(service('schema-registry').ports).toEqual([`127.0.0.1:\${TXN_SCHEMA_REGISTRY_PORT:-${config.schemaRegistry.port}}:${config.schemaRegistry.port}`]);
    expect(service('psp-sandbox').ports).toEqual([`127.0.0.1:\${TXN_PSP_SANDBOX_PORT:-${config.pspSandbox.port}}:${config.pspSandbox.port}`]);
  });
});
