import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allComponents, componentsFor, loadPlatformConfig, Supervisor } from '@txn/infra-local';
import { planUp } from './up';

describe('./platform up: what it brings up', () => {
  const supervisor = new Supervisor(loadPlatformConfig({}), allComponents, () => undefined);

  it('brings up one service with what it depends on, and no other service', () => {
    const plan = planUp(supervisor, ['ledger']);
    expect(plan.services).toEqual(['ledger']);
    expect([...plan.infrastructure].sort()).toEqual(['kafka', 'postgres', 'schema-registry']);
    expect(plan.registerSchemas).toBe(true);
    expect(planUp(supervisor, ['payment']).infrastructure).toContain('psp-proxy');
  });

  it('brings up everything when nothing is named', () => {
    const plan = planUp(supervisor, []);
    expect([...plan.services].sort()).toEqual(['api-gateway', 'audit', 'booking', 'ledger', 'notification', 'payment', 'webhook-ingress']);
    expect([...plan.infrastructure].sort()).toEqual(['alert-receiver', 'alertmanager', 'jaeger', 'kafka', 'lag-exporter', 'mailpit', 'postgres', 'prometheus', 'psp-proxy', 'psp-sandbox', 'schema-registry']);
    expect(plan.registerSchemas).toBe(true);
  });

  it('brings up infrastructure alone without services, registering schemas only when the registry is named', () => {
    expect(planUp(supervisor, ['kafka'])).toEqual({ infrastructure: ['kafka'], registerSchemas: false, services: [] });
    expect(planUp(supervisor, ['schema-registry'])).toMatchObject({ registerSchemas: true, services: [] });
  });

  describe('PLATFORM_INSTANCES=2', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'platform-instances-'));
    afterAll(() => rmSync(stateDir, { recursive: true, force: true }));
    const config = loadPlatformConfig({ PLATFORM_STATE_DIR: stateDir, PLATFORM_INSTANCES: '2' });
    const twice = new Supervisor(config, componentsFor(config), () => undefined);

    it('runs two instances of every service, the second on its own port, after the first (which migrates)', () => {
      expect([...planUp(twice, []).services].sort()).toEqual(['api-gateway', 'api-gateway-2', 'audit', 'audit-2', 'booking', 'booking-2', 'ledger', 'ledger-2', 'notification', 'notification-2', 'payment', 'payment-2', 'webhook-ingress', 'webhook-ingress-2']);
      const ports = (name: string): number[] => {
        const component = twice.components.find((candidate) => candidate.name === name);
        return component === undefined ? [] : component.ports(twice.context(component)).map((port) => port.port);
      };
      expect(ports('ledger-2')).toEqual(ports('ledger').map((port) => port + 100));
      expect(twice.components.find((component) => component.name === 'payment-2')?.dependsOn).toContain('payment');
      const env = (name: string): Readonly<Record<string, string>> | undefined => {
        const component = twice.components.find((candidate) => candidate.name === name);
        return component === undefined ? undefined : component.command(twice.context(component)).env;
      };
      // One consumer group, one database, one runtime role: only the port differs.
      const { HTTP_PORT: first, ...same } = env('booking') ?? {};
      const { HTTP_PORT: second, ...alike } = env('booking-2') ?? {};
      expect(alike).toEqual(same);
      expect(Number(second)).toBe(Number(first) + 100);
    });

    it('names instances one at a time: `up ledger` is the first instance only', () => {
      expect(planUp(twice, ['ledger']).services).toEqual(['ledger']);
      expect([...planUp(twice, ['ledger-2']).services].sort()).toEqual(['ledger', 'ledger-2']);
    });

    it('refuses a number of instances outside 1..4', () => {
      for (const instances of ['0', '5', 'two']) expect(() => loadPlatformConfig({ PLATFORM_INSTANCES: instances })).toThrow(/PLATFORM_INSTANCES/);
      expect(componentsFor(loadPlatformConfig({ PLATFORM_STATE_DIR: stateDir })).map((component) => component.name)).not.toContain('booking-2');
    });
  });
});
