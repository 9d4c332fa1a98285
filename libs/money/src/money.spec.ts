import fc from 'fast-check';
import { SUPPORTED_CURRENCIES, minorUnitExponent } from './currency';
import { add, CurrencyMismatchError, formatMoney, money, parseMoney, subtract } from './money';

const currency = fc.constantFrom(...SUPPORTED_CURRENCIES);
const amount = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n });

describe('money', () => {
  it('formats and parses back to the same integer amount in every currency', () => {
    fc.assert(
      fc.property(amount, currency, (amountMinor, code) => {
        const value = money(amountMinor, code);
        const [decimal] = formatMoney(value).split(' ');
        expect(parseMoney(decimal ?? '', code)).toEqual(value);
      }),
    );
  });

  it('keeps addition and subtraction exact inverses', () => {
    fc.assert(
      fc.property(amount, amount, currency, (a, b, code) => {
        expect(subtract(add(money(a, code), money(b, code)), money(b, code))).toEqual(money(a, code));
      }),
    );
  });

  it('uses each currency’s own minor unit', () => {
    expect(formatMoney(money(1234n, 'EUR'))).toBe('12.34 EUR');
    expect(formatMoney(money(1234n, 'JPY'))).toBe('1234 JPY');
    expect(formatMoney(money(-5n, 'KWD'))).toBe('-0.005 KWD');
    expect(minorUnitExponent('KWD')).toBe(3);
  });

  it('refuses to mix currencies, unknown currencies, and sub-minor-unit precision', () => {
    expect(() => add(money(1n, 'EUR'), money(1n, 'USD'))).toThrow(CurrencyMismatchError);
    expect(() => money(1n, 'XXX')).toThrow(/unsupported currency/);
    expect(() => parseMoney('1.5', 'JPY')).toThrow(/more than 0 decimal places/);
    expect(() => parseMoney('1e3', 'EUR')).toThrow(/not a decimal amount/);
  });
});
