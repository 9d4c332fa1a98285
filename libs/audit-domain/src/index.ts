export { AUDIT_HASH_FORMAT, appendToChain, canonicalJson, GENESIS_HASH, recordHash, type AuditFacts, type AuditRecord, type ChainLink } from './audit-record';
export { toJsonValue, WITHHELD, type JsonObject, type JsonValue } from './json-value';
export { verifyChain, type ChainBreak, type ChainBreakKind, type ChainCheckpoint, type ChainStart, type ChainVerdict } from './verify-chain';
export { stateChangeOf, type StateChange } from './state-change';
