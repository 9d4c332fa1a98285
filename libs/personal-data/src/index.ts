export { newDataKey, newMasterKeyLine, parseMasterKeyring, rewrapDataKey, unwrapDataKey, wrapDataKey, type MasterKeyring, type WrappedKey } from './keyring';
export { containsCardNumber, ERASED, maskEmail, redactCardNumbers } from './masking';
export { customerAad, dataKeyAad, isSealed, openField, SEALED_PREFIX, sealedKeyId, sealField } from './sealed-field';
