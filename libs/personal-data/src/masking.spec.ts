import fc from 'fast-check';
import { containsCardNumber, maskEmail, redactCardNumbers } from './masking';

describe('masking and card numbers', () => {
  it('masks an email to its first letter and domain', () => {
    expect(maskEmail('ada.lovelace@example.com')).toBe('a***@example.com');
    expect(maskEmail('not-an-email')).toBe('***');
  });

  it('property: a masked email never shows the local part beyond its first character', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const at = email.lastIndexOf('@');
        const masked = maskEmail(email);
        // What stands before the domain is the first character and three stars, whatever the local part was.
        return masked === `${email[0] ?? ''}***${email.slice(at)}`;
      }),
    );
  });

  it('finds and removes Luhn-valid card numbers with or without separators, and leaves other digits', () => {
    for (const pan of ['4242424242424242', '4111 1111 1111 1111', '5555-5555-5555-4444', '378282246310005']) {
      expect(containsCardNumber(`ref ${pan} end`)).toBe(true);
      expect(redactCardNumbers(`ref ${pan} end`)).toBe('ref [card number removed] end');
    }
    expect(containsCardNumber('order 4242424242424241')).toBe(false);
    expect(redactCardNumbers('booking 2027-03-10, 12 guests')).toBe('booking 2027-03-10, 12 guests');
  });

  it('property: no Luhn-valid 16-digit number survives redaction', () => {
    const luhnComplete = (body: string): string => {
      let sum = 0;
      for (let index = 0; index < body.length; index += 1) {
        let digit = Number(body[body.length - 1 - index]);
        if (index % 2 === 0) {
          digit *= 2;
          if (digit > 9) digit -= 9;
        }
        sum += digit;
      }
      return `${body}${(10 - (sum % 10)) % 10}`;
    };
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9][0-9]{14}$/), fc.string({ maxLength: 10 }), (body, around) => {
        const pan = luhnComplete(body);
        return !redactCardNumbers(`x${around.replace(/\d/g, '')} ${pan} y`).includes(pan);
      }),
    );
  });
});
