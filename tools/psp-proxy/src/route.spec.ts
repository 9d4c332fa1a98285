import { routeOf } from './proxy-server';

describe('routeOf', () => {
  it('replaces object ids and keeps resource names', () => {
    expect(routeOf('POST', '/v1/payment_intents')).toBe('POST /v1/payment_intents');
    expect(routeOf('POST', '/v1/payment_intents/pi_3NxYz12AbC/capture')).toBe('POST /v1/payment_intents/{id}/capture');
    expect(routeOf('GET', '/v1/customers/cus_Q7ab9')).toBe('GET /v1/customers/{id}');
    expect(routeOf('POST', '/v1/payment_methods/pm_card_visa/attach')).toBe('POST /v1/payment_methods/pm_card_visa/attach');
  });
});
