import type { SetRefundPolicy } from '@txn/contracts';
import { refusalOf } from './set-refund-policy';

function command(actorType: 'API_KEY' | 'SERVICE' | 'SYSTEM' | 'USER', tiers: { minNoticeMs: bigint; refundBp: number }[], otherwiseBp = 0): SetRefundPolicy {
  return {
    envelope: { eventId: 'e', eventType: 'SetRefundPolicy', occurredAt: new Date(), producer: 'api-gateway', aggregateId: 't', aggregateVersion: 0n, correlationId: 'e', causationId: null, actor: { type: actorType, id: 'x' }, tenantId: 't' },
    tiers,
    otherwiseBp,
    reason: 'test',
  };
}

describe('SetRefundPolicy refusals', () => {
  it('takes the merchant and the platform, never a customer', () => {
    expect(refusalOf(command('API_KEY', []))).toBeNull();
    expect(refusalOf(command('SERVICE', [{ minNoticeMs: 1_000n, refundBp: 10_000 }]))).toBeNull();
    expect(refusalOf(command('USER', []))).toMatch(/^ACTOR_NOT_ALLOWED/);
  });

  it("refuses terms that break the domain's rule", () => {
    expect(refusalOf(command('API_KEY', [{ minNoticeMs: 1_000n, refundBp: 10_000 }, { minNoticeMs: 5_000n, refundBp: 5_000 }]))).toMatch(/^INVALID_POLICY: .*largest first/);
    expect(refusalOf(command('API_KEY', [], 10_001))).toMatch(/^INVALID_POLICY/);
    expect(refusalOf(command('API_KEY', Array.from({ length: 11 }, (_unused, index) => ({ minNoticeMs: BigInt((20 - index) * 1_000), refundBp: 0 }))))).toMatch(/^INVALID_POLICY: .*10 tiers/);
  });
});
