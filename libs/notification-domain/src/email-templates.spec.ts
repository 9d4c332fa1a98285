import fc from 'fast-check';
import { EMAIL_TEMPLATE_NAMES, MAX_EMAIL_FIELD_LENGTH, renderEmail, type EmailModel } from './email-templates';

const BOOKING: EmailModel = {
  customerName: 'Ada Lovelace',
  bookingId: 'bk_7Hq2',
  resourceName: 'Court 3',
  slotStart: '2026-12-03T10:00:00Z',
  slotEnd: '2026-12-03T11:30:00+00:00',
  amount: { minor: 2_450n, currency: 'EUR' },
};
const EVERYTHING: EmailModel = { ...BOOKING, refundedAmount: { minor: 1_225n, currency: 'EUR' }, reason: 'the court is closed for repairs' };

/** Every part of an email, to assert a fact is in all of them. */
const parts = (name: (typeof EMAIL_TEMPLATE_NAMES)[number], model: EmailModel) => Object.values(renderEmail(name, model));

describe('the customer emails', () => {
  it('BOOKING_HELD names the resource, the slot and, when known, what to pay', () => {
    const email = renderEmail('BOOKING_HELD', BOOKING);
    expect(email.subject).toBe('Court 3 is held for you (booking bk_7Hq2)');
    expect(email.text).toContain('we are holding Court 3 for you from 2026-12-03 10:00 UTC to 2026-12-03 11:30 UTC. To confirm the booking, pay 24.50 EUR.');
    expect(email.html).toContain('<strong>24.50 EUR</strong>');
    expect(renderEmail('BOOKING_HELD', { ...BOOKING, amount: undefined }).text).not.toContain('pay');
  });

  it('BOOKING_CONFIRMED names the resource, the slot and the amount received', () => {
    for (const part of parts('BOOKING_CONFIRMED', BOOKING)) expect(part).toContain('bk_7Hq2');
    const email = renderEmail('BOOKING_CONFIRMED', BOOKING);
    expect(email.subject).toBe('Your booking of Court 3 is confirmed (bk_7Hq2)');
    expect(email.text).toContain('your booking of Court 3 from 2026-12-03 10:00 UTC to 2026-12-03 11:30 UTC is confirmed. We received 24.50 EUR.');
    expect(email.html).toContain('<p>Hello Ada Lovelace,</p>');
  });

  it('BOOKING_CANCELLED says what it can: the resource, the slot and the reason are each optional', () => {
    expect(renderEmail('BOOKING_CANCELLED', EVERYTHING).text).toContain('your booking of Court 3 from 2026-12-03 10:00 UTC to 2026-12-03 11:30 UTC is cancelled. Reason: the court is closed for repairs.');
    const bare = renderEmail('BOOKING_CANCELLED', { customerName: 'Ada Lovelace', bookingId: 'bk_7Hq2' });
    expect(bare.subject).toBe('Your booking bk_7Hq2 is cancelled');
    expect(bare.text).toContain('your booking is cancelled.\n');
  });

  it('PAYMENT_REFUNDED names the refunded amount, of what was paid, and why', () => {
    const email = renderEmail('PAYMENT_REFUNDED', EVERYTHING);
    expect(email.subject).toBe('We refunded 12.25 EUR for booking bk_7Hq2');
    expect(email.text).toContain('we refunded 12.25 EUR of the 24.50 EUR you paid for booking bk_7Hq2. Reason: the court is closed for repairs.');
    expect(email.html).toContain('<strong>12.25 EUR</strong>');
  });

  it('formats money exactly in the currency’s minor unit: no digits for JPY, three for KWD', () => {
    expect(renderEmail('BOOKING_CONFIRMED', { ...BOOKING, amount: { minor: 12_500n, currency: 'JPY' } }).text).toContain('We received 12500 JPY.');
    expect(renderEmail('BOOKING_CONFIRMED', { ...BOOKING, amount: { minor: 1_005n, currency: 'KWD' } }).text).toContain('We received 1.005 KWD.');
    expect(renderEmail('BOOKING_CONFIRMED', { ...BOOKING, amount: { minor: 7n, currency: 'USD' } }).text).toContain('We received 0.07 USD.');
    const huge = 123_456_789_012_345_678_901n;
    expect(renderEmail('BOOKING_CONFIRMED', { ...BOOKING, amount: { minor: huge, currency: 'EUR' } }).text).toContain('We received 1234567890123456789.01 EUR.');
  });

  it('escapes HTML in a customer’s name and a reason in the html part, and leaves the text part as written', () => {
    const hostile = { ...EVERYTHING, customerName: '<script>alert("x")</script> & Co', reason: '<img src=x onerror=alert(1)>' };
    for (const name of EMAIL_TEMPLATE_NAMES) {
      const email = renderEmail(name, hostile);
      expect(email.html).not.toContain('<script>');
      expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
      expect(email.text).toContain('<script>alert("x")</script> & Co');
    }
    expect(renderEmail('PAYMENT_REFUNDED', hostile).html).not.toContain('<img');
  });

  it('keeps the subject on one line, whatever line breaks a field holds', () => {
    const email = renderEmail('BOOKING_HELD', { ...BOOKING, resourceName: 'Court 3\r\nBcc: everyone@example.com' });
    expect(email.subject).toBe('Court 3 Bcc: everyone@example.com is held for you (booking bk_7Hq2)');
  });

  it.each([
    ['BOOKING_HELD', 'resourceName'],
    ['BOOKING_HELD', 'slotEnd'],
    ['BOOKING_CONFIRMED', 'amount'],
    ['BOOKING_CONFIRMED', 'slotStart'],
    ['PAYMENT_REFUNDED', 'refundedAmount'],
    ['BOOKING_CANCELLED', 'bookingId'],
  ] as const)('%s throws without %s, naming it', (name, field) => {
    const model = { ...EVERYTHING, [field]: undefined } as EmailModel;
    expect(() => renderEmail(name, model)).toThrow(new RegExp(`cannot render the ${name} email: "${field}" not defined`));
  });

  it('greets without a name when the model has none (the contracts carry only the email)', () => {
    const rendered = renderEmail('BOOKING_CANCELLED', { bookingId: 'bk_7Hq2' });
    expect(rendered.text.startsWith('Hello,\n')).toBe(true);
    expect(rendered.html).toContain('<p>Hello,</p>');
  });

  it('throws on a slot that is not an ISO 8601 instant, an unknown currency, a negative amount, an overlong field', () => {
    expect(() => renderEmail('BOOKING_CONFIRMED', { ...BOOKING, slotStart: '3 Dec 2026' })).toThrow(/slotStart "3 Dec 2026" is not an ISO 8601 instant/);
    expect(() => renderEmail('BOOKING_CONFIRMED', { ...BOOKING, slotStart: '2026-02-30T10:00:00Z' })).toThrow(RangeError);
    expect(() => renderEmail('BOOKING_CONFIRMED', { ...BOOKING, slotStart: '2026-12-03T10:00:00' })).toThrow(RangeError);
    expect(() => renderEmail('BOOKING_CONFIRMED', { ...BOOKING, amount: { minor: 100n, currency: 'XXX' } })).toThrow(/unsupported currency/);
    expect(() => renderEmail('BOOKING_CONFIRMED', { ...BOOKING, amount: { minor: -1n, currency: 'EUR' } })).toThrow(/negative/);
    expect(() => renderEmail('BOOKING_CONFIRMED', { ...BOOKING, customerName: 'a'.repeat(MAX_EMAIL_FIELD_LENGTH + 1) })).toThrow(RangeError);
  });

  it('never lets markup through into the html part, whatever the name', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), fc.constantFrom(...EMAIL_TEMPLATE_NAMES), (customerName, name) => {
        const html = renderEmail(name, { ...EVERYTHING, customerName }).html;
        const withoutOurTags = html.replace(/<\/?(p|strong)>/g, '');
        expect(withoutOurTags).not.toMatch(/[<>"'`]/);
      }),
    );
  });

  it('prints any amount in the text exactly as its integer of minor units', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.constantFrom(['EUR', 2] as const, ['JPY', 0] as const, ['KWD', 3] as const), (minor, [currency, digits]) => {
        const text = renderEmail('BOOKING_CONFIRMED', { ...BOOKING, amount: { minor, currency } }).text;
        const printed = new RegExp(`We received (\\d+)(?:\\.(\\d{${digits}}))? ${currency}\\.`).exec(text);
        expect(printed).not.toBeNull();
        expect(BigInt(`${printed?.[1] ?? ''}${printed?.[2] ?? ''}`)).toBe(minor);
      }),
    );
  });
});
