import type { DashboardDefinition } from '../frame';
import { API_SLO } from './api-slo';
import { BOOKING_SAGA } from './booking-saga';
import { CONSUMER_LAG } from './consumer-lag';
import { MESSAGING } from './messaging';
import { PAYMENTS_PSP } from './payments-psp';
import { RECONCILIATION } from './reconciliation';
import { WEBHOOKS } from './webhooks';

/** Every dashboard of the platform, in the order the docs list them: the user's view first, then the path of an event, then money. */
export const DASHBOARDS: readonly DashboardDefinition[] = [API_SLO, CONSUMER_LAG, MESSAGING, BOOKING_SAGA, PAYMENTS_PSP, RECONCILIATION, WEBHOOKS];
