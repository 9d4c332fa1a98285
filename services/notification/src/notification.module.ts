import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Module, type DynamicModule } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { EmailSent, WebhookDeliveryGaveUp, WebhookEndpointAutoDisabled, WebhookEndpointRecovered, type Envelope } from '@txn/contracts';
import { EventPublisher } from '@txn/nest-messaging';
import { PERIODIC_WORK, periodically, PeriodicWorkLifecycle, type ServiceDependencies } from '@txn/service-kit';
import { transactionsOn } from '@txn/sql';
import { deliverDueWebhooks, type DeliveryAnnouncer, type DeliveryDependencies } from './application/deliver-webhooks/deliver-webhooks';
import { NOTIFICATION_CONTEXT, type NotificationContext } from './application/notification-context';
import { sendDueEmails, type EmailAnnouncer, type EmailDependencies } from './application/send-emails/send-emails';
import { webhookDeliveryStore } from './persistence/delivery-store';
import { customerEmailStore } from './persistence/email-store';
import { customerKeyCopyStore } from './persistence/key-copy-store';
import { webhookEndpointStore } from './persistence/endpoint-store';
import { smtpSender } from './smtp/smtp-sender';
import { postWebhook } from './webhook-http/webhook-sender';
import { CustomerKeysController } from './messaging/customer-keys.controller';
import { MerchantEventsController } from './messaging/merchant-events.controller';
import type { NotificationSettings } from './settings';

function serviceEnvelope(eventType: string, aggregateId: string, tenantId: string, producer: string, occurredAt: Date): Envelope {
  return { eventId: randomUUID(), eventType, occurredAt, producer, aggregateId, aggregateVersion: 1n, correlationId: aggregateId, causationId: null, actor: { type: 'SERVICE', id: producer }, tenantId };
}

function deliveryAnnouncer(outbox: EventPublisher, producer: string, clock: () => Date): DeliveryAnnouncer {
  return {
    autoDisabled: (tx, endpoint, failingSince, held, lastError) =>
      outbox.publish(tx, WebhookEndpointAutoDisabled, {
        envelope: serviceEnvelope(WebhookEndpointAutoDisabled.eventType, endpoint.endpointId, endpoint.merchantId, producer, clock()),
        endpointId: endpoint.endpointId,
        merchantId: endpoint.merchantId,
        failingSince,
        heldDeliveries: held,
        lastError,
      }),
    recovered: (tx, endpoint, failingSince, at) =>
      outbox.publish(tx, WebhookEndpointRecovered, {
        envelope: serviceEnvelope(WebhookEndpointRecovered.eventType, endpoint.endpointId, endpoint.merchantId, producer, at),
        endpointId: endpoint.endpointId,
        merchantId: endpoint.merchantId,
        failingSince,
        recoveredAt: at,
      }),
    gaveUp: (tx, endpoint, delivery, attempts, lastError) =>
      outbox.publish(tx, WebhookDeliveryGaveUp, {
        envelope: { ...serviceEnvelope(WebhookDeliveryGaveUp.eventType, endpoint.endpointId, endpoint.merchantId, producer, clock()), causationId: delivery.eventId },
        deliveryId: delivery.deliveryId,
        endpointId: endpoint.endpointId,
        merchantId: endpoint.merchantId,
        eventId: delivery.eventId,
        eventType: delivery.eventType,
        attempts,
        lastError,
      }),
  };
}

function emailAnnouncer(outbox: EventPublisher, producer: string): EmailAnnouncer {
  return {
    sent: (tx, email, smtpResponse, at) =>
      outbox.publish(tx, EmailSent, {
        envelope: { ...serviceEnvelope(EmailSent.eventType, email.bookingId, email.tenantId, producer, at), correlationId: email.bookingId },
        messageId: email.messageId,
        bookingId: email.bookingId,
        template: email.template,
        smtpMessageId: smtpResponse.slice(0, 200),
      }),
  };
}

/** Messages leased per email round; each is sent before the next (an SMTP server takes one at a time per connection). */
const EMAIL_BATCH_SIZE = 20;

/** The notification service's wiring: the consumer of merchants' events and endpoint changes, and the webhook sender. */
@Module({})
export class NotificationModule {
  static with(dependencies: ServiceDependencies, settings: NotificationSettings): DynamicModule {
    const { config, logger, metrics, pool } = dependencies;
    const clock = (): Date => new Date();
    const context: NotificationContext = { endpoints: webhookEndpointStore, deliveries: webhookDeliveryStore, emails: customerEmailStore, keys: customerKeyCopyStore };
    const instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const policy = { baseDelay_ms: settings.retryBase_ms, maxDelay_ms: settings.retryMax_ms, horizon_ms: settings.retryHorizon_ms };
    const emailAttempts = new Counter({ name: 'notification_email_attempts_total', help: "Customer email attempts by template and outcome (sent, retry, gave_up).", labelNames: ['template', 'outcome'], registers: [metrics] });
    const attempts = new Counter({ name: 'notification_webhook_attempts_total', help: 'Webhook delivery attempts by outcome (SUCCEEDED, HTTP_ERROR, TIMEOUT, CONNECTION_ERROR, ADDRESS_REFUSED).', labelNames: ['outcome'], registers: [metrics] });
    const latency = new Histogram({ name: 'notification_webhook_attempt_seconds', help: "Webhook attempts' duration, connection to the answer's bounded excerpt.", labelNames: ['outcome'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [metrics] });
    return {
      module: NotificationModule,
      controllers: [MerchantEventsController, CustomerKeysController],
      providers: [
        { provide: NOTIFICATION_CONTEXT, useValue: context },
        {
          provide: PERIODIC_WORK,
          inject: [EventPublisher],
          useFactory: (outbox: EventPublisher) => {
            const delivery: DeliveryDependencies = {
              transactions: transactionsOn(pool),
              ...context,
              instance,
              signingKey: settings.webhookSigningKey,
              policy,
              disableAfter_ms: settings.disableAfter_ms,
              concurrency: settings.deliveryConcurrency,
              send: postWebhook,
              sendOptions: { timeout_ms: settings.attemptTimeout_ms, allowLoopback: settings.allowLoopbackWebhooks },
              announcer: deliveryAnnouncer(outbox, config.serviceName, clock),
              clock,
              random: Math.random,
              attempts,
              latency,
            };
            const work = [periodically('webhook delivery', settings.deliveryPoll_ms, () => deliverDueWebhooks(delivery), logger)];
            if (settings.smtpUrl === undefined) {
              logger.warn('NOTIFICATION_SMTP_URL is not set: customers\' emails are queued, none is sent until it is');
              return work;
            }
            const smtp = smtpSender({ url: settings.smtpUrl, from: settings.emailFrom, timeout_ms: settings.attemptTimeout_ms });
            const email: EmailDependencies = { transactions: delivery.transactions, emails: customerEmailStore, keys: customerKeyCopyStore, keyring: settings.personalDataKeyring, send: smtp.send, instance, policy, batchSize: EMAIL_BATCH_SIZE, lease_ms: settings.attemptTimeout_ms * EMAIL_BATCH_SIZE + 30_000, announcer: emailAnnouncer(outbox, config.serviceName), clock, random: Math.random, attempts: emailAttempts };
            return [...work, periodically('customer email', settings.deliveryPoll_ms, () => sendDueEmails(email), logger)];
          },
        },
        PeriodicWorkLifecycle,
      ],
    };
  }
}
