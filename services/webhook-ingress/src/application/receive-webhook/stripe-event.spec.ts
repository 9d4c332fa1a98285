import fc from 'fast-check';
import { isPublishedType, MalformedPspEvent, normaliseStripeEvent } from './stripe-event';

const PAYMENT_ID = '1b0ded1d-7f65-515a-9ec6-bc5e75ae1dce';

function event(type: string, object: Record<string, unknown>): Record<string, unknown> {
  return { id: 'evt_123', object: 'event', type, created: 1_764_000_000, livemode: false, data: { object } };
}

describe('normaliseStripeEvent', () => {
  it('reads a payment intent event: ids, our metadata, status and the amount in minor units with an upper-case currency', () => {
    const normalised = normaliseStripeEvent(
      event('payment_intent.succeeded', { id: 'pi_1', object: 'payment_intent', status: 'succeeded', amount: 12_345, amount_received: 12_345, currency: 'eur', latest_charge: 'ch_1', metadata: { payment_id: PAYMENT_ID, tenant_id: 'merchant-1' } }),
    );
    expect(normalised).toEqual({
      pspEventId: 'evt_123',
      pspEventType: 'payment_intent.succeeded',
      pspObjectType: 'payment_intent',
      pspObjectId: 'pi_1',
      pspCreatedAt: new Date(1_764_000_000_000),
      livemode: false,
      pspPaymentIntentId: 'pi_1',
      pspChargeId: 'ch_1',
      pspRefundId: null,
      paymentId: PAYMENT_ID,
      tenantId: 'merchant-1',
      pspStatus: 'succeeded',
      amount: { amountMinor: 12_345n, currency: 'EUR' },
      failureCode: null,
    });
  });

  it('names the intent, charge and refund of a refund and of a charge, expanded or not', () => {
    expect(normaliseStripeEvent(event('refund.created', { id: 're_1', object: 'refund', charge: { id: 'ch_1' }, payment_intent: 'pi_1', amount: 100, currency: 'usd', status: 'succeeded' }))).toMatchObject({
      pspPaymentIntentId: 'pi_1',
      pspChargeId: 'ch_1',
      pspRefundId: 're_1',
      amount: { amountMinor: 100n, currency: 'USD' },
    });
    expect(normaliseStripeEvent(event('charge.refunded', { id: 'ch_1', object: 'charge', amount: 500, amount_refunded: 200, currency: 'eur' })).amount).toEqual({ amountMinor: 200n, currency: 'EUR' });
    expect(normaliseStripeEvent(event('charge.succeeded', { id: 'ch_1', object: 'charge', amount: 500, amount_refunded: 0, currency: 'eur' })).amount).toEqual({ amountMinor: 500n, currency: 'EUR' });
    expect(normaliseStripeEvent(event('charge.failed', { id: 'ch_2', object: 'charge', payment_intent: 'pi_2', failure_code: 'card_declined' }))).toMatchObject({ pspPaymentIntentId: 'pi_2', pspChargeId: 'ch_2', failureCode: 'card_declined', amount: null });
  });

  it('never takes what is not money or not ours: fractional, negative or huge amounts, unknown currencies, a payment id that is not a UUID', () => {
    for (const [amount, currency] of [[1.5, 'eur'], [-1, 'eur'], [1e17, 'eur'], [100, 'xyz']] as const) {
      expect(normaliseStripeEvent(event('charge.succeeded', { id: 'ch_1', object: 'charge', amount, currency })).amount).toBeNull();
    }
    expect(normaliseStripeEvent(event('charge.succeeded', { id: 'ch_1', object: 'charge', metadata: { payment_id: "x' OR 1=1" } })).paymentId).toBeNull();
  });

  it('refuses a body that is not an event, whatever JSON it is', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          normaliseStripeEvent(value);
          // Only a well-formed event object passes.
          return typeof value === 'object' && value !== null && (value as { object?: unknown }).object === 'event';
        } catch (error) {
          return error instanceof MalformedPspEvent;
        }
      }),
    );
  });

  it('publishes the families payment understands; stores the rest without publishing', () => {
    expect(['payment_intent.succeeded', 'charge.refunded', 'charge.dispute.created', 'refund.updated'].every(isPublishedType)).toBe(true);
    expect(['customer.created', 'invoice.paid', 'payout.paid', 'payment_intentx'].some(isPublishedType)).toBe(false);
  });
});
