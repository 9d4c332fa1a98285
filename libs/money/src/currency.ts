/**
 * ISO 4217 minor-unit exponents for the currencies the platform accepts. A currency missing here
 * is refused rather than guessed: an exponent wrong by one moves money by a factor of ten.
 */
const MINOR_UNIT_EXPONENTS = {
  AUD: 2, BHD: 3, BRL: 2, CAD: 2, CHF: 2, CLP: 0, CNY: 2, CZK: 2, DKK: 2, EUR: 2, GBP: 2, HKD: 2,
  HUF: 2, IDR: 2, ILS: 2, INR: 2, ISK: 0, JOD: 3, JPY: 0, KRW: 0, KWD: 3, MXN: 2, NOK: 2, NZD: 2,
  OMR: 3, PLN: 2, SEK: 2, SGD: 2, THB: 2, TND: 3, TRY: 2, USD: 2, VND: 0, ZAR: 2,
} as const satisfies Record<string, 0 | 2 | 3>;

export type CurrencyCode = keyof typeof MINOR_UNIT_EXPONENTS;

export function isCurrencyCode(code: string): code is CurrencyCode {
  return Object.prototype.hasOwnProperty.call(MINOR_UNIT_EXPONENTS, code);
}

export function minorUnitExponent(currency: CurrencyCode): 0 | 2 | 3 {
  return MINOR_UNIT_EXPONENTS[currency];
}

export const SUPPORTED_CURRENCIES: readonly CurrencyCode[] = Object.keys(MINOR_UNIT_EXPONENTS) as CurrencyCode[];
