export {
  EMAIL_TEMPLATE_NAMES,
  MAX_EMAIL_FIELD_LENGTH,
  renderEmail,
  type EmailAmount,
  type EmailModel,
  type EmailTemplateName,
  type RenderedEmail,
} from './email-templates';
export {
  addressVerdict,
  classifyAddress,
  MAX_WEBHOOK_URL_LENGTH,
  webhookUrlVerdict,
  type AddressRange,
  type AddressVerdict,
  type OutboundOptions,
  type UrlRefusal,
  type WebhookUrlVerdict,
} from './outbound-address';
export {
  DEFAULT_RETRY_POLICY,
  MAX_RETRY_HORIZON_MS,
  maxAttempts,
  minimumDelay_ms,
  nextAttemptDelay,
  parseRetryPolicy,
  type RetryPolicy,
  type RetryPolicySettings,
} from './retry-policy';
export {
  MAX_SIGNATURE_HEADER_LENGTH,
  MAX_SIGNING_SECRETS,
  SIGNATURE_HEADER,
  SIGNATURE_SCHEME,
  signatureHeader,
  verifySignatureHeader,
  type SignatureRefusal,
  type SignatureVerdict,
  type VerifyOptions,
} from './webhook-signature';
export { webhookEndpointSecret } from './endpoint-secret';
