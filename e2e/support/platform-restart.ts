import { bootstrapService, createServiceLogger, type RunningService, type ServiceConfig } from '@txn/service-kit';
import { jsonLogSink } from '@txn/testing';
import { paymentService, type PaymentSettings } from '@txn/payment';
import type { PlatformInProcess, PlatformOptions } from './platform-in-process';

// An extension of platform-in-process.ts that leaves that file alone: it replaces the harness's
// payment service by one with other settings (a compressed outcome-query schedule, a longer PSP
// timeout), as an operator would restart it with other environment variables. Same database,
// same suite topics, same consumer group (the inbox's dedup scope), same log array.

/** The contract topics the payment service reads or writes; the harness maps each to a suite topic. */
const PAYMENT_TOPICS = ['booking.commands.v1', 'booking.events.v1', 'payment.commands.v1', 'payment.events.v1', 'ledger.events.v1', 'psp.events.v1'] as const;
/** The harness's in-place retry policy (not exported there): a failing handler is a finding. */
const TEST_RETRY = { maxAttempts: 2, initialDelay_ms: 20, maxDelay_ms: 100 };

export interface RestartedService {
  readonly service: RunningService;
  /** Close before `platform.close()`: the harness drops the database this service uses. */
  close(): Promise<void>;
}

/** `test.<scope id>.<base>`: the suite scope names topics and groups alike (tools/testing). */
function suitePrefixOf(suiteTopic: string): string {
  const match = /^(test\.[^.]+)\./.exec(suiteTopic);
  if (match?.[1] === undefined) throw new Error(`not a suite topic: ${suiteTopic}`);
  return match[1];
}

/** The payment settings a test may change (PAYMENT_OUTCOME_QUERY_TIME_DIVISOR, PSP_TIMEOUT_MS). */
export interface PaymentOverrides {
  readonly outcomeQueryTimeDivisor?: number;
  readonly pspTimeout_ms?: number;
}

export async function restartPaymentWith(platform: PlatformInProcess, options: PlatformOptions, overrides: PaymentOverrides): Promise<RestartedService> {
  const previous = platform.payment.service.dependencies;
  const topicOverrides = Object.fromEntries(PAYMENT_TOPICS.map((topic) => [topic, previous.topicOf(topic)]));
  // The harness loaded payment's config as ServiceConfig & PaymentSettings (loadServiceConfig's `extra`).
  const current = previous.config as ServiceConfig & PaymentSettings;
  const config: ServiceConfig & PaymentSettings = {
    ...current,
    outcomeQueryTimeDivisor: overrides.outcomeQueryTimeDivisor ?? current.outcomeQueryTimeDivisor,
    psp: { ...current.psp, timeout_ms: overrides.pspTimeout_ms ?? current.psp.timeout_ms },
  };
  // close() is idempotent: the harness's own cleanup closing it again later is harmless.
  await platform.payment.service.close();
  const service = await bootstrapService(config, paymentService(config, { paymentMethodOf: options.paymentMethodOf }), {
    topicOverrides,
    consumerGroup: `${suitePrefixOf(previous.topicOf('booking.events.v1'))}.payment`,
    retry: TEST_RETRY,
    logger: createServiceLogger({ serviceName: 'payment', level: 'info', destination: jsonLogSink(platform.payment.logs) }),
    telemetry: false,
  });
  return { service, close: () => service.close() };
}
