// The figures every end-to-end saga test shares: how long a step and a saga may take, and the
// booking's price with the fee and share the ledger must book for it.

/** Each step is a consumer poll, one transaction and a relay poll (and a PSP call): well under a second idle. */
export const STEP_TIMEOUT_MS = 30_000;
/** A whole saga: about a dozen steps, each bounded above; the test fails on the first step that overruns. */
export const SAGA_TEST_TIMEOUT_MS = 150_000;
/**
 * Payment-domain's outcome-query schedule divided by this: the first query 1 min / 200 = 300 ms
 * after the unknown outcome (PAYMENT_OUTCOME_QUERY_TIME_DIVISOR, as the payment README suggests for tests).
 */
export const OUTCOME_QUERY_TIME_DIVISOR = 200;
export const PRICE_MINOR = 12_345n;
/** 10 % (payment's default PLATFORM_FEE_BPS, booked as said by the ledger) of 123.45, rounded half up: 12.345 → 12.35. */
export const FEE_MINOR = 1_235n;
export const MERCHANT_SHARE_MINOR = PRICE_MINOR - FEE_MINOR;
export const HOUR_MS = 3_600_000;
