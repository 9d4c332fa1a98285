import fc from 'fast-check';
import { createPayment, recordAuthorizationResult } from './authorization';
import { recordCaptureResult, requestCapture } from './capture-and-void';
import { feeSchedule, feeTermsFor, platformFeeOf } from './fees';

describe('fee schedule', () => {
  const schedule = feeSchedule('fs-test', 1_000, new Map([['merchant-1', 250], ['constructor', 500]]));

  it("gives a merchant its own rate and everyone else the default, naming the rule and the schedule's version", () => {
    expect(feeTermsFor(schedule, 'merchant-1')).toEqual({ bps: 250, rule: 'MERCHANT_RATE/HALF_UP', scheduleVersion: 'fs-test' });
    expect(feeTermsFor(schedule, 'merchant-2')).toEqual({ bps: 1_000, rule: 'DEFAULT_RATE/HALF_UP', scheduleVersion: 'fs-test' });
  });

  it("never reaches Object.prototype: 'constructor', '__proto__' and 'toString' are merchant ids like any other", () => {
    expect(feeTermsFor(schedule, 'constructor').bps).toBe(500);
    for (const merchant of ['__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(feeTermsFor(schedule, merchant)).toEqual({ bps: 1_000, rule: 'DEFAULT_RATE/HALF_UP', scheduleVersion: 'fs-test' });
    }
  });

  it('refuses a rate outside 0..10 000 bps and a schedule without a version', () => {
    expect(() => feeSchedule('v', 10_001, new Map())).toThrow(RangeError);
    expect(() => feeSchedule('v', 100, new Map([['m', -1]]))).toThrow(RangeError);
    expect(() => feeSchedule(' ', 100, new Map())).toThrow(RangeError);
  });

  it('splits every capture into a fee and a share that sum to it, whatever the rate', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 15n }), fc.integer({ min: 0, max: 10_000 }), (capturedMinor, bps) => {
        const fee = platformFeeOf({ bps, rule: 'DEFAULT_RATE/HALF_UP', scheduleVersion: 'v' }, { amountMinor: capturedMinor, currency: 'EUR' });
        expect(fee.amountMinor).toBeGreaterThanOrEqual(0n);
        expect(fee.amountMinor).toBeLessThanOrEqual(capturedMinor);
      }),
    );
  });
});

describe("a capture's fee", () => {
  const EUR = (amountMinor: bigint) => ({ amountMinor, currency: 'EUR' as const });
  const ctx = { now: new Date('2030-01-01T00:00:00Z'), actor: { type: 'SERVICE' as const, id: 'payment' } };

  it('is decided once, by the terms fixed at creation, and travels in PaymentCaptured with its rate, rule and version', () => {
    const terms = feeTermsFor(feeSchedule('fs-at-sale', 1_000, new Map([['t1', 250]])), 't1');
    let payment = createPayment({ paymentId: 'p1', bookingId: 'b1', tenantId: 't1', amount: EUR(10_100n), feeTerms: terms }, ctx).state;
    payment = recordAuthorizationResult(payment, { kind: 'authorized', via: 'PSP_RESPONSE', pspPaymentIntentId: 'pi_1', authorizedAmount: EUR(10_100n), authorizationExpiresAt: null, authorizedAt: null }, ctx).state;
    payment = requestCapture(payment, ctx).state;
    const captured = recordCaptureResult(payment, { kind: 'captured', via: 'PSP_RESPONSE', pspChargeId: 'ch_1', capturedAmount: EUR(10_100n) }, ctx);
    // 2.5 % of 101.00 EUR is 2.525 EUR: 2.53 (half up), whatever the schedule says by the time of capture.
    expect(captured.outcome === 'applied' ? captured.events.map((event) => event.payload) : []).toEqual([
      expect.objectContaining({ capturedAmount: EUR(10_100n), platformFee: EUR(253n), feeBps: 250, feeRule: 'MERCHANT_RATE/HALF_UP', feeScheduleVersion: 'fs-at-sale' }),
    ]);
  });
});
