import { attentionChange } from './payment-patches';

describe('what a payment event does to the attention flag', () => {
  it.each([
    ['PaymentOutcomeUnknown', 'outcome-unknown'],
    ['PaymentRefundFailed', 'refund-failed'],
    ['PaymentRefunded', 'refund-succeeded'],
    ['PaymentDisputed', 'disputed'],
    ['PaymentCaptured', 'moved-on'],
    ['PaymentAuthorized', 'moved-on'],
    ['PaymentVoided', 'moved-on'],
  ])('%s: %s', (eventType, change) => {
    expect(attentionChange(eventType)).toBe(change);
  });
});
