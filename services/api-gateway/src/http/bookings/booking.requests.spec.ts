import { maxMinorUnits, MAX_MAJOR_UNITS } from './booking.requests';

describe('the largest price accepted', () => {
  it('is 10^9 major units in every currency, by its exponent, and always an exact JSON number', () => {
    expect(maxMinorUnits('EUR')).toBe(MAX_MAJOR_UNITS * 100);
    expect(maxMinorUnits('JPY')).toBe(MAX_MAJOR_UNITS);
    expect(maxMinorUnits('KWD')).toBe(MAX_MAJOR_UNITS * 1_000);
    expect(Number.isSafeInteger(maxMinorUnits('KWD'))).toBe(true);
    expect(maxMinorUnits('XYZ')).toBeNull();
  });
});
