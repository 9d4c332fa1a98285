export type { Component, ComponentContext, ComponentPort, ProbeResult, ProcessSpec } from './component';
export { findRootDir, loadPlatformConfig, MAX_INSTANCES, type PlatformConfig } from './config';
export { allComponents, componentsFor, infrastructureComponents } from './components';
export { ensureDatabaseExtensions, installExtensions, instanceName, instancesOf, PLATFORM_SERVICES, serviceApiPort, serviceNodeArgs, serviceComponent, serviceComponents, serviceComponentsFor, servicePort, serviceUrl, type ServiceSpec } from './components/services';
export {
  dropProvisionedDatabases,
  ensurePostgresDatabase,
  ensureServiceDatabase,
  provisionDatabase,
  provisionServiceDatabase,
  type PostgresAdminConnection,
  postgresAdmin,
  postgresNames,
  type PostgresCredentials,
  type PostgresRole,
  type ServiceDatabaseCredentials,
} from './components/postgres';
export { ensureTopics, kafkaBrokers, loadTopicCatalogue, type TopicSpec } from './components/kafka';
export { pspSandboxUrl } from './components/psp-sandbox';
export { pspProxyUrl } from './components/psp-proxy';
export { mailpitApiUrl, mailpitSmtpUrl } from './components/mailpit';
export { jaegerConfig, jaegerOtlpTracesUrl, jaegerQueryUrl } from './components/jaeger';
export { lagExporterUrl } from './components/lag-exporter';
export { announceScrapeTargets, prometheusConfig, prometheusTargetsDir, prometheusUrl, type ScrapeTarget } from './components/prometheus';
export { alertmanagerConfig, alertmanagerUrl, alertReceiverUrl } from './components/alerting';
export { SUBJECT_COMPATIBILITY, schemaRegistryUrl } from './components/schema-registry';
export { findPortOwner, isPortInUse } from './port-owner';
export type { ProcessRecord } from './process-record';
export { ComponentError, Supervisor, startOrder, tailOfFile, type ComponentStatus, type UpOutcome } from './supervisor';
export { ensureStaffSigningKeys, LOCAL_STAFF_TOKEN_ISSUER, readStaffSigningJwk, STAFF_TOKEN_ALGORITHM, STAFF_TOKEN_AUDIENCE, staffKeyFiles, type StaffKeyFiles } from './staff-keys';
export { ensurePodmanSocket, podmanEnv, podmanSocketPath, stopPodmanSocket } from './podman';
