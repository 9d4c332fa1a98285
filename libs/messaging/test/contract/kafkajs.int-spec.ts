import { createKafkaConsumerTransport, createKafkaPublisher } from '../../src';
import { defineBackboneContract } from './backbone-contract';

// The backbone contract for the kafkajs pair (today's only client). Another client adds one file
// like this one, building its RecordPublisher and ConsumerTransport.

defineBackboneContract({
  name: 'kafkajs 2.2.4',
  createPublisher: ({ clientId, brokers }) => createKafkaPublisher({ clientId, brokers }),
  createConsumerTransport: (setup) =>
    createKafkaConsumerTransport({
      clientId: setup.clientId,
      brokers: setup.brokers,
      groupId: setup.groupId,
      topics: setup.topics,
      logger: setup.logger,
      sessionTimeout_ms: setup.sessionTimeout_ms,
      heartbeatInterval_ms: setup.heartbeatInterval_ms,
    }),
});
