export {
  checked,
  isApplied,
  refusal,
  refused,
  stale,
  type Checked,
  type Decision,
  type DomainEvent,
  type DomainEventsOf,
  type IntentContext,
  type Outcome,
  type Refused,
  type Stale,
} from './decision';
export { uuidV5 } from './uuid-v5';
