export {
  checked,
  isApplied,
  refusal,
  refused,
  stale,
  type Checked,
  type Decision,
  type DomainEvent,
  type IntentContext,
  type Outcome,
  type Refused,
  type Stale,
} from './decision';
