import { parseMasterKeyring, type MasterKeyring } from '@txn/personal-data';
import type { SettingsReader } from '@txn/service-kit';
import type { IdempotencySettings } from './idempotency/idempotency.interceptor';
import { DEFAULT_IDEMPOTENCY_SETTINGS, readIdempotencySettings } from './idempotency/idempotency-settings';
import { readStaffTokenSettings } from './auth/staff-token-settings';
import type { StaffTokenSettings } from './auth/staff-token';
import { readKeyRateLimit, type KeyRateLimitSettings } from './auth/key-rate-limiter';

const HOST = /^[A-Za-z0-9.:-]{1,253}$/;

/** The api-gateway's own settings, validated with the shared ones at start-up. */
export interface GatewaySettings {
  /** The public HTTP port (API_PORT; 0 picks a free one, for tests). Health and metrics stay on HTTP_PORT. */
  readonly apiPort: number;
  /** The public HTTP host (API_HOST, default 127.0.0.1). */
  readonly apiHost: string;
  /** Largest request body accepted (API_BODY_LIMIT_BYTES, default 64 KiB): larger ones get 413. */
  readonly bodyLimit_bytes: number;
  /** Idempotency records: retention and claim lease (API_IDEMPOTENCY_RETENTION_HOURS, API_IDEMPOTENCY_LEASE_SECONDS; decision 0026). */
  readonly idempotency: IdempotencySettings;
  /** Staff JWTs (GATEWAY_STAFF_JWKS[_FILE], issuer, audience); undefined: staff tokens are refused. */
  readonly staffTokens?: StaffTokenSettings;
  /** Per-key request limit across instances (GATEWAY_KEY_RATE_LIMIT per GATEWAY_KEY_RATE_WINDOW_SECONDS); default 60000 per 60 s. */
  readonly keyRateLimit?: KeyRateLimitSettings;
  /** The key merchants' webhook signing secrets are derived from (GATEWAY_WEBHOOK_SIGNING_KEY_FILE; decision 0033); undefined: endpoints cannot be created. */
  readonly webhookSigningKey?: string;
  /** The master keyring customers' data keys are wrapped under (GATEWAY_PERSONAL_DATA_KEYRING_FILE; decision 0037); undefined: personal data is refused (503). */
  readonly personalDataKeyring?: MasterKeyring;
  /** How often data keys under an older master key are looked for and rewrapped (GATEWAY_KEY_REWRAP_INTERVAL_MS, default 60 s). */
  readonly keyRewrapInterval_ms?: number;
}

export const DEFAULT_GATEWAY_SETTINGS: GatewaySettings = { apiPort: 18500, apiHost: '127.0.0.1', bodyLimit_bytes: 64 * 1024, idempotency: DEFAULT_IDEMPOTENCY_SETTINGS };

export function readGatewaySettings(settings: SettingsReader): GatewaySettings {
  return {
    apiPort: settings.integer('API_PORT', { min: 0, max: 65_535, default: DEFAULT_GATEWAY_SETTINGS.apiPort }),
    apiHost: settings.text('API_HOST', { default: DEFAULT_GATEWAY_SETTINGS.apiHost, pattern: HOST, what: 'a host name or IP address' }),
    bodyLimit_bytes: settings.integer('API_BODY_LIMIT_BYTES', { min: 1_024, max: 1_048_576, default: DEFAULT_GATEWAY_SETTINGS.bodyLimit_bytes }),
    idempotency: readIdempotencySettings(settings),
    ...optionalStaffTokens(readStaffTokenSettings(settings)),
    keyRateLimit: readKeyRateLimit(settings),
    ...optionalSigningKey(settings.optionalSecretFile('GATEWAY_WEBHOOK_SIGNING_KEY')),
    ...optionalKeyring(settings.optionalSecretFile('GATEWAY_PERSONAL_DATA_KEYRING')),
    keyRewrapInterval_ms: settings.integer('GATEWAY_KEY_REWRAP_INTERVAL_MS', { min: 100, max: 86_400_000, default: 60_000 }),
  };
}

function optionalStaffTokens(staffTokens: StaffTokenSettings | undefined): { staffTokens?: StaffTokenSettings } {
  return staffTokens === undefined ? {} : { staffTokens };
}

function optionalKeyring(text: string | undefined): { personalDataKeyring?: MasterKeyring } {
  return text === undefined ? {} : { personalDataKeyring: parseMasterKeyring(text) };
}

function optionalSigningKey(webhookSigningKey: string | undefined): { webhookSigningKey?: string } {
  return webhookSigningKey === undefined ? {} : { webhookSigningKey };
}
