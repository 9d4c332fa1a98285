export { environmentFile, testEnvironment, type TestEnvironment } from './environment';
export { createSuiteScope, type SuiteDatabase, type SuiteScope } from './suite-scope';
export { selectProvider, type InfrastructureProvider } from './providers';
export { waitFor } from './wait-for';
export { recordSpans } from './recorded-spans';
export { collectEvents, deleteSubjects, SUBJECT_DELETE_TIMEOUT_MS, type CollectedEvent, type EventCollector, type EventCollectorOptions, type EventDecoder } from './event-collector';
export { baseServiceSettings, Cleanups, installExtensions, jsonLogSink, secretFiles, type LogLine } from './service-harness';
export { freePort } from './free-port';
