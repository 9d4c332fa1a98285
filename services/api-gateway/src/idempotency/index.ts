import type { Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { IdempotencyPruner } from './idempotency-pruner';
import { IdempotencyStore } from './idempotency-store';
import { IDEMPOTENCY_SETTINGS, IdempotencyInterceptor, type IdempotencySettings } from './idempotency.interceptor';

export { Idempotent, type IdempotentOptions } from './idempotent.decorator';
export { IdempotencyRecordEntity } from './idempotency-record.entity';
export { fenceIdempotentExecution } from './idempotent-execution';
export { REPLAYED_HEADER } from './claimed-execution';

/** What the gateway module provides for idempotency: the store, the global interceptor (acting on `@Idempotent` routes only), the pruner. */
export function idempotencyProviders(settings: IdempotencySettings): Provider[] {
  return [{ provide: IDEMPOTENCY_SETTINGS, useValue: settings }, IdempotencyStore, IdempotencyPruner, { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }];
}
