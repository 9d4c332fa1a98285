import { allComponents, loadPlatformConfig, Supervisor } from '@txn/infra-local';
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
    expect([...plan.services].sort()).toEqual(['booking', 'ledger', 'payment']);
    expect(plan.infrastructure).toHaveLength(5);
    expect(plan.registerSchemas).toBe(true);
  });

  it('brings up infrastructure alone without services, registering schemas only when the registry is named', () => {
    expect(planUp(supervisor, ['kafka'])).toEqual({ infrastructure: ['kafka'], registerSchemas: false, services: [] });
    expect(planUp(supervisor, ['schema-registry'])).toMatchObject({ registerSchemas: true, services: [] });
  });
});
