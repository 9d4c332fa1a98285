import { Module, type DynamicModule } from '@nestjs/common';
import { Counter } from 'prom-client';
import { AuditCheckpointTaken } from '@txn/contracts';
import { uuidV5 } from '@txn/domain-kernel';
import { EventPublisher } from '@txn/nest-messaging';
import { PERIODIC_WORK, periodically, PeriodicWorkLifecycle, type ServiceDependencies } from '@txn/service-kit';
import { transactionsOn } from '@txn/sql';
import { AUDIT_CONTEXT, type AuditContext } from './application/audit-context';
import type { CheckpointAnnouncer } from './application/ports';
import { takeCheckpoints } from './application/take-checkpoints/take-checkpoints';
import { AuditedEventsController } from './messaging/audited-events.controller';
import { auditTrailStore, checkpointStore } from './persistence/audit-store';
import type { AuditSettings } from './settings';

/** The namespace of checkpoint event ids: UUID v5 of `<chain>:<seq>`, so announcing one head twice is one event. */
export const CHECKPOINT_EVENT_NAMESPACE = '6f1d3a52-8c0e-5b7a-9d41-2e6c8f0a7b13';

function checkpointAnnouncer(outbox: EventPublisher, producer: string): CheckpointAnnouncer {
  return {
    announce: (tx, checkpoint, takenAt) =>
      outbox.publish(tx, AuditCheckpointTaken, {
        envelope: {
          eventId: uuidV5(CHECKPOINT_EVENT_NAMESPACE, `${checkpoint.chainId}:${checkpoint.seq}`),
          eventType: AuditCheckpointTaken.eventType,
          occurredAt: takenAt,
          producer,
          aggregateId: checkpoint.chainId,
          aggregateVersion: BigInt(checkpoint.seq),
          correlationId: checkpoint.chainId,
          causationId: null,
          actor: { type: 'SERVICE', id: producer },
          tenantId: checkpoint.chainId,
        },
        chainId: checkpoint.chainId,
        seq: BigInt(checkpoint.seq),
        headHash: checkpoint.hash,
        takenAt,
      }),
  };
}

/** The audit's wiring: the trail behind its port, the one controller, the checkpoint run. */
@Module({})
export class AuditModule {
  static with(dependencies: ServiceDependencies, settings: AuditSettings): DynamicModule {
    const { config, logger, metrics, pool } = dependencies;
    const context: AuditContext = {
      trail: auditTrailStore,
      clock: () => new Date(),
      recorded: new Counter({ name: 'audit_records_total', help: 'Audited events by type: recorded, or already recorded (the same fact read again).', labelNames: ['action', 'outcome'], registers: [metrics] }),
    };
    const transactions = transactionsOn(pool);
    return {
      module: AuditModule,
      controllers: [AuditedEventsController],
      providers: [
        { provide: AUDIT_CONTEXT, useValue: context },
        {
          provide: PERIODIC_WORK,
          inject: [EventPublisher],
          useFactory: (outbox: EventPublisher) => {
            const dependencies = { transactions, checkpoints: checkpointStore, announcer: checkpointAnnouncer(outbox, config.serviceName), clock: context.clock, batchSize: settings.checkpointBatchSize };
            return [periodically('audit checkpoint', settings.checkpointInterval_ms, () => takeCheckpoints(dependencies), logger)];
          },
        },
        PeriodicWorkLifecycle,
      ],
    };
  }
}
