// The notification service's public surface: what the launcher, the end-to-end tests and the benchmarks may use.
export { DELIVERY_NAMESPACE } from './application/enqueue-deliveries/enqueue-deliveries';
export { DELIVERABLE_EVENT_TYPES, DELIVERED_TOPICS } from './application/deliverable-events';
export { guardedLookup, postWebhook } from './webhook-http/webhook-sender';
export { NOTIFICATION_SCHEMA, notificationService } from './service';
export { DEFAULT_NOTIFICATION_SETTINGS, readNotificationSettings, type NotificationSettings } from './settings';
