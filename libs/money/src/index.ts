export { isCurrencyCode, minorUnitExponent, SUPPORTED_CURRENCIES, type CurrencyCode } from './currency';
export { add, CurrencyMismatchError, equals, formatMoney, money, negate, parseMoney, subtract, type Money } from './money';
