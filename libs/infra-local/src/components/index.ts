import type { Component } from '../component';
import { kafkaComponent } from './kafka';
import { postgresComponent } from './postgres';
import { pspProxyComponent } from './psp-proxy';
import { pspSandboxComponent } from './psp-sandbox';
import { schemaRegistryComponent } from './schema-registry';

/** Every component of the local infrastructure; the supervisor orders them by dependsOn. */
export const allComponents: readonly Component[] = [postgresComponent, kafkaComponent, schemaRegistryComponent, pspSandboxComponent, pspProxyComponent];
