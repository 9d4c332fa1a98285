export { isCurrencyCode, minorUnitExponent, SUPPORTED_CURRENCIES, type CurrencyCode } from './currency';
export { add, CurrencyMismatchError, equals, formatMoney, money, negate, parseMoney, subtract, type Money } from './money';
export { basisPointsOf, BASIS_POINTS_PER_WHOLE, divideRoundingHalfUp, isBasisPoints, MAX_BASIS_POINTS } from './rates';
