import type { Component } from '../component';
import { postgresComponent } from './postgres';

/** Every component of the local infrastructure; the supervisor orders them by dependsOn. */
export const allComponents: readonly Component[] = [postgresComponent];
