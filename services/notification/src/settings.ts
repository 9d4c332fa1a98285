import { parseMasterKeyring, type MasterKeyring } from '@txn/personal-data';
import type { SettingsReader } from '@txn/service-kit';

/** The notification service's own settings, validated with the shared ones at start-up. */
export interface NotificationSettings {
  /**
   * The platform's webhook signing key (NOTIFICATION_WEBHOOK_SIGNING_KEY_FILE: the same file as the
   * gateway's GATEWAY_WEBHOOK_SIGNING_KEY_FILE, decision 0033): each endpoint's secret is derived
   * from it, so neither service stores one.
   */
  readonly webhookSigningKey: string;
  /** Retry schedule (NOTIFICATION_RETRY_BASE_MS 30 s, NOTIFICATION_RETRY_MAX_MS 6 h, NOTIFICATION_RETRY_HORIZON_MS 3 days). */
  readonly retryBase_ms: number;
  readonly retryMax_ms: number;
  readonly retryHorizon_ms: number;
  /** One attempt's limit, connection to last byte (NOTIFICATION_WEBHOOK_TIMEOUT_MS, default 10 s). */
  readonly attemptTimeout_ms: number;
  /** An endpoint failing for this long is disabled until its merchant enables it (NOTIFICATION_DISABLE_AFTER_MS, default 3 days). */
  readonly disableAfter_ms: number;
  /** How often due deliveries are looked for when none woke the sender (NOTIFICATION_DELIVERY_POLL_MS, default 500 ms). */
  readonly deliveryPoll_ms: number;
  /** Endpoints served per sender round, each by one delivery in flight (NOTIFICATION_DELIVERY_CONCURRENCY, default 8). */
  readonly deliveryConcurrency: number;
  /**
   * Loopback webhook URLs (http://127.0.0.1:…) for local development and tests only
   * (NOTIFICATION_ALLOW_LOOPBACK_WEBHOOKS=true); every other private, link-local or metadata
   * address is refused whatever this says.
   */
  readonly allowLoopbackWebhooks: boolean;
  /**
   * Where customers' emails go (NOTIFICATION_SMTP_URL, smtp://host:port; `./platform up` gives
   * Mailpit's). Unset: emails are queued and wait, none is sent (nor lost).
   */
  readonly smtpUrl?: string;
  /** The From of customers' emails (NOTIFICATION_EMAIL_FROM). */
  readonly emailFrom: string;
  /** The master keyring customers' data keys are wrapped under (NOTIFICATION_PERSONAL_DATA_KEYRING_FILE, the gateway's file); undefined: sealed addresses wait. */
  readonly personalDataKeyring?: MasterKeyring;
}

export const DEFAULT_NOTIFICATION_SETTINGS: Omit<NotificationSettings, 'webhookSigningKey'> = {
  retryBase_ms: 30_000,
  retryMax_ms: 6 * 3_600_000,
  retryHorizon_ms: 3 * 24 * 3_600_000,
  attemptTimeout_ms: 10_000,
  disableAfter_ms: 3 * 24 * 3_600_000,
  deliveryPoll_ms: 500,
  deliveryConcurrency: 8,
  allowLoopbackWebhooks: false,
  emailFrom: 'Bookings <bookings@txn.local>',
};

const DAY_MS = 24 * 3_600_000;

export function readNotificationSettings(settings: SettingsReader): NotificationSettings {
  const defaults = DEFAULT_NOTIFICATION_SETTINGS;
  return {
    webhookSigningKey: settings.secretFile('NOTIFICATION_WEBHOOK_SIGNING_KEY'),
    retryBase_ms: settings.integer('NOTIFICATION_RETRY_BASE_MS', { min: 10, max: DAY_MS, default: defaults.retryBase_ms }),
    retryMax_ms: settings.integer('NOTIFICATION_RETRY_MAX_MS', { min: 10, max: 7 * DAY_MS, default: defaults.retryMax_ms }),
    retryHorizon_ms: settings.integer('NOTIFICATION_RETRY_HORIZON_MS', { min: 100, max: 30 * DAY_MS, default: defaults.retryHorizon_ms }),
    attemptTimeout_ms: settings.integer('NOTIFICATION_WEBHOOK_TIMEOUT_MS', { min: 100, max: 60_000, default: defaults.attemptTimeout_ms }),
    disableAfter_ms: settings.integer('NOTIFICATION_DISABLE_AFTER_MS', { min: 100, max: 30 * DAY_MS, default: defaults.disableAfter_ms }),
    deliveryPoll_ms: settings.integer('NOTIFICATION_DELIVERY_POLL_MS', { min: 10, max: 60_000, default: defaults.deliveryPoll_ms }),
    deliveryConcurrency: settings.integer('NOTIFICATION_DELIVERY_CONCURRENCY', { min: 1, max: 64, default: defaults.deliveryConcurrency }),
    allowLoopbackWebhooks: settings.text('NOTIFICATION_ALLOW_LOOPBACK_WEBHOOKS', { default: 'false', pattern: /^(true|false)$/, what: 'true or false' }) === 'true',
    ...optionalSmtpUrl(settings.optionalText('NOTIFICATION_SMTP_URL', /^smtps?:\/\/[^\s]{1,500}$/)),
    ...optionalKeyring(settings.optionalSecretFile('NOTIFICATION_PERSONAL_DATA_KEYRING')),
    emailFrom: settings.text('NOTIFICATION_EMAIL_FROM', { default: defaults.emailFrom, pattern: /^[^\r\n]{3,200}$/, what: 'an address, e.g. Bookings <bookings@example.com>' }),
  };
}

function optionalSmtpUrl(smtpUrl: string | undefined): { smtpUrl?: string } {
  return smtpUrl === undefined ? {} : { smtpUrl };
}

function optionalKeyring(text: string | undefined): { personalDataKeyring?: MasterKeyring } {
  return text === undefined ? {} : { personalDataKeyring: parseMasterKeyring(text) };
}
