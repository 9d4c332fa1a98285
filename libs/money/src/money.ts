import { isCurrencyCode, minorUnitExponent, type CurrencyCode } from './currency';

/** An amount of one currency in integer minor units (cents, yen, fils). Never a float. */
export interface Money {
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
}

export class CurrencyMismatchError extends Error {
  constructor(left: CurrencyCode, right: CurrencyCode) {
    super(`cannot combine ${left} with ${right}`);
    this.name = 'CurrencyMismatchError';
  }
}

export function money(amountMinor: bigint, currency: string): Money {
  if (!isCurrencyCode(currency)) throw new RangeError(`unsupported currency "${currency}"`);
  return { amountMinor, currency };
}

function sameCurrency(a: Money, b: Money): CurrencyCode {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
  return a.currency;
}

export function add(a: Money, b: Money): Money {
  return { amountMinor: a.amountMinor + b.amountMinor, currency: sameCurrency(a, b) };
}

export function subtract(a: Money, b: Money): Money {
  return { amountMinor: a.amountMinor - b.amountMinor, currency: sameCurrency(a, b) };
}

export function negate(a: Money): Money {
  return { amountMinor: -a.amountMinor, currency: a.currency };
}

export function equals(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.amountMinor === b.amountMinor;
}

/** "12.34 EUR", "1000 JPY", "-0.005 KWD": exact, from the integer, for logs and messages. */
export function formatMoney(value: Money): string {
  const exponent = minorUnitExponent(value.currency);
  const negative = value.amountMinor < 0n;
  const digits = (negative ? -value.amountMinor : value.amountMinor).toString().padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return `${negative ? '-' : ''}${whole} ${value.currency}`;
}

/** Parses "12.34" in the currency's exponent exactly; more decimals than the currency has are refused. */
export function parseMoney(decimal: string, currency: string): Money {
  if (!isCurrencyCode(currency)) throw new RangeError(`unsupported currency "${currency}"`);
  const match = /^(-)?(\d{1,18})(?:\.(\d+))?$/.exec(decimal);
  if (match === null) throw new RangeError(`"${decimal}" is not a decimal amount`);
  const [, sign, whole = '0', fraction = ''] = match;
  const exponent = minorUnitExponent(currency);
  if (fraction.length > exponent) {
    throw new RangeError(`"${decimal}" has more than ${exponent} decimal places, the minor unit of ${currency}`);
  }
  const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  return { amountMinor: sign === '-' ? -minor : minor, currency };
}
