import type Stripe from 'stripe';
import { authorizeParams, toIntentView } from './stripe-psp';

const CREATED_S = 1_796_000_000;
const CAPTURE_BEFORE_S = CREATED_S + 7 * 86_400;

function intent(latestCharge: Stripe.PaymentIntent['latest_charge']): Stripe.PaymentIntent {
  return { id: 'pi_1', object: 'payment_intent', status: 'requires_capture', amount: 12_345, currency: 'eur', created: CREATED_S - 1, latest_charge: latestCharge, next_action: null, last_payment_error: null, metadata: {} } as unknown as Stripe.PaymentIntent;
}

describe('the Stripe adapter reads when an authorization happened and when it lapses', () => {
  it('from the expanded charge: its created and payment_method_details.card.capture_before', () => {
    const charge = { id: 'ch_1', object: 'charge', created: CREATED_S, payment_method_details: { type: 'card', card: { capture_before: CAPTURE_BEFORE_S } } } as unknown as Stripe.Charge;
    expect(toIntentView(intent(charge))).toMatchObject({ chargeId: 'ch_1', authorizedAt: new Date(CREATED_S * 1_000), captureBefore: new Date(CAPTURE_BEFORE_S * 1_000) });
  });

  it('from the intent when the charge is only an id (not expanded) or says nothing: the intent\'s created, no capture_before', () => {
    expect(toIntentView(intent('ch_1'))).toMatchObject({ chargeId: 'ch_1', authorizedAt: new Date((CREATED_S - 1) * 1_000), captureBefore: null });
    const silent = { id: 'ch_2', object: 'charge', created: CREATED_S, payment_method_details: null } as unknown as Stripe.Charge;
    expect(toIntentView(intent(silent))).toMatchObject({ authorizedAt: new Date(CREATED_S * 1_000), captureBefore: null });
  });

  it('asks for the charge with the authorization itself, so the answer carries both times', () => {
    const params = authorizeParams({ paymentId: 'p1', bookingId: 'b1', tenantId: 't1', amount: { amountMinor: 12_345n, currency: 'EUR' }, paymentMethod: 'pm_card_visa', idempotencyKey: 'pay_p1_authorize' });
    expect(params).toMatchObject({ capture_method: 'manual', confirm: true, expand: ['latest_charge'], metadata: { payment_id: 'p1', booking_id: 'b1', tenant_id: 't1' } });
  });
});
