import { Module, type DynamicModule } from '@nestjs/common';
import { Counter } from 'prom-client';
import { canonicalJson, type AuditRecord } from '@txn/audit-domain';
import { AuditCheckpointTaken, AuditRecorded } from '@txn/contracts';
import { uuidV5 } from '@txn/domain-kernel';
import { EventPublisher } from '@txn/nest-messaging';
import { PERIODIC_WORK, periodically, PeriodicWorkLifecycle, type ServiceDependencies } from '@txn/service-kit';
import { transactionsOn } from '@txn/sql';
import { AUDIT_CONTEXT, type AuditContext } from './application/audit-context';
import type { CheckpointAnnouncer, RecordAnnouncer } from './application/ports';
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

/** The namespace of record event ids: UUID v5 of `<chain>:<seq>`, one event per place in a chain. */
export const RECORD_EVENT_NAMESPACE = '0b7c2e94-5a1f-5d36-8e07-c4a9d2f61b58';

function recordAnnouncer(outbox: EventPublisher, producer: string): RecordAnnouncer {
  return {
    announce: (tx, record: AuditRecord) => {
      const { facts } = record;
      return outbox.publish(tx, AuditRecorded, {
        envelope: {
          eventId: uuidV5(RECORD_EVENT_NAMESPACE, `${record.chainId}:${record.seq}`),
          eventType: AuditRecorded.eventType,
          occurredAt: new Date(facts.recordedAt),
          producer,
          aggregateId: record.chainId,
          aggregateVersion: BigInt(record.seq),
          correlationId: facts.correlationId,
          causationId: facts.eventId,
          actor: { type: 'SERVICE', id: producer },
          tenantId: record.chainId,
        },
        chainId: record.chainId,
        seq: BigInt(record.seq),
        prevHash: record.prevHash,
        hash: record.hash,
        sourceEventId: facts.eventId,
        action: facts.action,
        producer: facts.producer,
        sourceTopic: facts.source.topic,
        occurredAt: new Date(facts.occurredAt),
        recordedAt: new Date(facts.recordedAt),
        actorType: facts.actor.type,
        actorId: facts.actor.id,
        aggregateType: facts.aggregate.type,
        aggregateId: facts.aggregate.id,
        aggregateVersion: BigInt(facts.aggregate.version),
        statusBefore: facts.statusBefore,
        statusAfter: facts.statusAfter,
        reason: facts.reason,
        changes: canonicalJson(facts.changes),
        correlationId: facts.correlationId,
        causationId: facts.causationId,
        traceId: facts.traceId,
      });
    },
  };
}

/** The audit's wiring: the trail behind its port, the one controller, the checkpoint run. */
@Module({})
export class AuditModule {
  static with(dependencies: ServiceDependencies, settings: AuditSettings): DynamicModule {
    const { config, logger, metrics, pool } = dependencies;
    const clock = (): Date => new Date();
    const recorded = new Counter({ name: 'audit_records_total', help: 'Audited events by type: recorded, or already recorded (the same fact read again).', labelNames: ['action', 'outcome'], registers: [metrics] });
    const transactions = transactionsOn(pool);
    return {
      module: AuditModule,
      controllers: [AuditedEventsController],
      providers: [
        {
          provide: AUDIT_CONTEXT,
          inject: [EventPublisher],
          useFactory: (outbox: EventPublisher): AuditContext => ({ trail: auditTrailStore, announcer: recordAnnouncer(outbox, config.serviceName), clock, recorded }),
        },
        {
          provide: PERIODIC_WORK,
          inject: [EventPublisher],
          useFactory: (outbox: EventPublisher) => {
            const dependencies = { transactions, checkpoints: checkpointStore, announcer: checkpointAnnouncer(outbox, config.serviceName), clock, batchSize: settings.checkpointBatchSize };
            return [periodically('audit checkpoint', settings.checkpointInterval_ms, () => takeCheckpoints(dependencies), logger)];
          },
        },
        PeriodicWorkLifecycle,
      ],
    };
  }
}
