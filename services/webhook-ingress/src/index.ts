// The webhook ingress' public surface: what the launcher, the end-to-end tests and the benchmarks may use.
export { WEBHOOK_INGRESS_SCHEMA, webhookIngressService } from './service';
export { DEFAULT_BODY_LIMIT_BYTES, DEFAULT_TOLERANCE_S, readIngressSettings, secretId, webhookSecrets, type IngressSettings } from './settings';
