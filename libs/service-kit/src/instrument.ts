import { registerServiceInstrumentations } from './instrumentation';

// Loaded with `node --import` before a service's main module (tools/infra-local services
// component, e2e child services, the images): the instrumentations must patch `http` and `pg`
// before the service's imports load them.
registerServiceInstrumentations();
