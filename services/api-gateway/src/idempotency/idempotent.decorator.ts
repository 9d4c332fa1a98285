import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiProblem } from '../http/openapi-problem';

export const IDEMPOTENT_ROUTE = 'txn:idempotent-route';

export interface IdempotentOptions {
  /** A request without `Idempotency-Key` is refused (428) — for every route that moves money. */
  readonly required: boolean;
}

/**
 * A POST whose first outcome is kept per (merchant, Idempotency-Key) and replayed to retries
 * (decision 0026). The OpenAPI document names the header and the idempotency problems.
 */
export const Idempotent = (options: IdempotentOptions): MethodDecorator =>
  applyDecorators(
    SetMetadata(IDEMPOTENT_ROUTE, options),
    ApiHeader({
      name: 'Idempotency-Key',
      required: options.required,
      description: 'A key of 1–255 visible ASCII characters, unique per operation (a UUID serves). A retry with the same key and body gets the first response again with `Idempotent-Replayed: true`; kept at least 24 hours.',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]{1,255}$' },
    }),
    ApiProblem(409, 'A request with this Idempotency-Key is still in progress (`/problems/request-in-progress`); retry later.'),
    ApiProblem(422, 'This Idempotency-Key was used with another method, path or body (`/problems/idempotency-key-reused`).'),
    ...(options.required ? [ApiProblem(428, 'The Idempotency-Key header is missing (`/problems/idempotency-key-required`).')] : []),
  );
