import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadPlatformConfig } from '@txn/infra-local';

interface ComposeService {
  image?: string;
  ports?: string[];
}

const root = join(__dirname, '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };
const config = loadPlatformConfig({}, root);

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** docker-compose.yml (and the testcontainers provider that runs it) must match ./platform up. */
describe('docker-compose.yml runs what ./platform up runs', () => {
  it('pins the same versions', () => {
    expect(service('postgres').image).toMatch(new RegExp(`^postgres:${config.postgres.version}\\.`));
    expect(service('kafka').image).toBe(`apache/kafka:${config.kafka.version}`);
    expect(service('schema-registry').image).toBe(`apicurio/apicurio-registry:${config.schemaRegistry.version}`);
    expect(service('psp-sandbox').image).toBe(`txn-platform/psp-sandbox:localstripe-${config.pspSandbox.version}`);
    const requirements = readFileSync(join(root, 'deploy/local/psp-sandbox/requirements.txt'), 'utf8');
    expect(requirements).toContain(`localstripe==${config.pspSandbox.version}`);
  });

  it('publishes the same ports, on loopback only', () => {
    expect(service('postgres').ports).toEqual([`127.0.0.1:${config.postgres.port}:5432`]);
    expect(service('kafka').ports).toEqual([`127.0.0.1:${config.kafka.port}:${config.kafka.port}`]);
    expect(service('schema-registry').ports).toEqual([`127.0.0.1:${config.schemaRegistry.port}:${config.schemaRegistry.port}`]);
    expect(service('psp-sandbox').ports).toEqual([`127.0.0.1:${config.pspSandbox.port}:${config.pspSandbox.port}`]);
  });
});
