import type { Component } from '../component';
import { jaegerComponent } from './jaeger';
import { kafkaComponent } from './kafka';
import { lagExporterComponent } from './lag-exporter';
import { mailpitComponent } from './mailpit';
import { prometheusComponent } from './prometheus';
import { alertmanagerComponent, alertReceiverComponent } from './alerting';
import { postgresComponent } from './postgres';
import { pspProxyComponent } from './psp-proxy';
import { pspSandboxComponent } from './psp-sandbox';
import { schemaRegistryComponent } from './schema-registry';
import type { PlatformConfig } from '../config';
import { serviceComponents, serviceComponentsFor } from './services';

/** The infrastructure the services stand on. */
export const infrastructureComponents: readonly Component[] = [postgresComponent, kafkaComponent, schemaRegistryComponent, pspSandboxComponent, pspProxyComponent, mailpitComponent, jaegerComponent, lagExporterComponent, alertReceiverComponent, alertmanagerComponent, prometheusComponent];

/**
 * Everything `./platform up` runs; the supervisor orders them by dependsOn. Services start only
 * after the deploy steps that follow the infrastructure (schema registration).
 */
export const allComponents: readonly Component[] = [...infrastructureComponents, ...serviceComponents];

/** What `./platform` manages for this configuration: the infrastructure and PLATFORM_INSTANCES of each service. */
export function componentsFor(config: PlatformConfig): Component[] {
  return [...infrastructureComponents, ...serviceComponentsFor(config)];
}
