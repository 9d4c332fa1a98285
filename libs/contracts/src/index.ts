export { AVRO_TYPE_OPTIONS, avroType } from './avro-type-options';
export { ContractValueError, defineEventContract, type AvroRecordSchema, type EventContract, type EventContractSpec } from './event-contract';
export * from './generated';
