// The api-gateway's public surface: what the platform's launcher, the end-to-end tests and the
// benchmarks may use. Everything else under src/ is the service's own.
export { apiGatewayService, API_GATEWAY_SCHEMA } from './service';
export { DEFAULT_GATEWAY_SETTINGS, readGatewaySettings, type GatewaySettings } from './settings';
// Harnesses that seed a merchant's key straight into the database (the API benchmark) make it as the key routes do.
export { issueApiKey, type IssuedApiKey } from './auth/api-key-secret';
