// The payment service's public surface: what the platform's launcher, the end-to-end tests and the
// benchmarks may use. Everything else under src/ is the service's own.
export { paymentService, type PaymentServiceOptions } from './service';
export { readPaymentSettings, type PaymentSettings } from './settings';
export { STRIPE_API_VERSION } from './psp/stripe-psp';
