import { HttpException } from '@nestjs/common';

/**
 * RFC 9457 problem details. `type` is a stable relative URI (`/problems/<slug>`, answered by the
 * gateway itself with the catalogue below), so clients branch on it, never on `title` or `detail`.
 * Extension members carry the figures a client needs to act (e.g. `remainingRefundable`).
 */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  /** Validation: one entry per field, `pointer` a JSON Pointer into the request body (RFC 6901). */
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

export interface FieldError {
  readonly pointer: string;
  readonly detail: string;
}

/** Every problem type the API answers, with its status and title: the contract clients rely on. */
export const PROBLEM_TYPES = {
  'validation-failed': { status: 400, title: 'The request is not valid' },
  'malformed-json': { status: 400, title: 'The request body is not valid JSON' },
  unauthenticated: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'Not allowed' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'request-in-progress': { status: 409, title: 'A request with this idempotency key is in progress' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported content type' },
  'idempotency-key-reused': { status: 422, title: 'This idempotency key was used with another request' },
  'unprocessable': { status: 422, title: 'The request cannot be carried out' },
  'refund-exceeds-refundable': { status: 422, title: 'The refund is more than remains refundable' },
  'idempotency-key-required': { status: 428, title: 'An Idempotency-Key header is required' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Temporarily unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemType = keyof typeof PROBLEM_TYPES;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemTypeUri(type: ProblemType): string {
  return `/problems/${type}`;
}

/** Builds the problem of a catalogue type; `extensions` must not reuse the standard member names. */
export function problem(type: ProblemType, detail?: string, extensions: Readonly<Record<string, unknown>> = {}): ProblemDetails {
  const { status, title } = PROBLEM_TYPES[type];
  return { ...extensions, type: problemTypeUri(type), title, status, ...(detail === undefined ? {} : { detail }) };
}

/** Thrown anywhere in a request: the filter answers it as it is. */
export class ProblemException extends HttpException {
  constructor(readonly problem: ProblemDetails, readonly headers: Readonly<Record<string, string>> = {}) {
    super(problem, problem.status);
  }

  static of(type: ProblemType, detail?: string, extensions?: Readonly<Record<string, unknown>>): ProblemException {
    return new ProblemException(problem(type, detail, extensions));
  }
}
