import type { CustomerEmails, CustomerKeyCopies, WebhookDeliveries, WebhookEndpoints } from './ports';

export const NOTIFICATION_CONTEXT = Symbol('notification-context');

/** What the notification service's consumers share. */
export interface NotificationContext {
  readonly endpoints: WebhookEndpoints;
  readonly deliveries: WebhookDeliveries;
  readonly emails: CustomerEmails;
  readonly keys: CustomerKeyCopies;
}
