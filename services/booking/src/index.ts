// The booking service's public surface: what the platform's launcher, the end-to-end tests and the
// benchmarks may use. Everything else under src/ is the service's own.
export { bookingService } from './service';
export { DEFAULT_BOOKING_SETTINGS, readBookingSettings, type BookingSettings } from './settings';
