export {
  COMPATIBILITY_DIRECTIONS,
  compareVersions,
  describeDirection,
  readProblem,
  type CompatibilityProblem,
  type ReadDirection,
} from './offline-compatibility';
export {
  SUBJECT_POLICY,
  SchemaCompatibilityError,
  SchemaRegistryError,
  checkCompatibility,
  formatIncompatibilities,
  registerSchemas,
  type IncompatibleVersion,
  type RegisteredSubject,
  type SchemaCatalogue,
  type SchemaCatalogueEntry,
  type SchemaDeployOptions,
  type SubjectCompatibility,
} from './registry';
export { readKnownTopics, readSchemaSources } from './schema-files';
export { MAX_HISTORY_COMMITS, checkSchemaHistory, historicalVersions, type HistoryFailure, type HistoryReport } from './schema-history';
export {
  ENVELOPE_FIELD,
  ENVELOPE_TYPE,
  SCHEMA_ROOT,
  SENSITIVE_ATTRIBUTE,
  TOPIC_ATTRIBUTE,
  buildSchemaSet,
  compareText,
  subjectName,
  type AvroJson,
  type AvroObject,
  type EventSchema,
  type NamedTypeDefinition,
  type SchemaSet,
  type SchemaSetOptions,
  type SchemaSetResult,
  type SchemaSource,
} from './schema-set';
