export { MESSAGE_HEADERS } from './headers';
export { createKafkaPublisher, type KafkaPublisherOptions } from './kafka/publisher';
export type { OutgoingRecord, RecordPublisher } from './ports';
