import { applyDecorators } from '@nestjs/common';
import { ApiProblem } from './openapi-problem';

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Not valid: malformed JSON, unknown fields, wrong types, amounts not positive integers or beyond the currency range, unknown currency, endsAt not after startsAt (field errors name each).',
  401: 'No credential, or one not accepted.',
  403: 'The credential lacks the permission, or acts for no merchant.',
  404: 'No such resource for the calling merchant (another merchant\u2019s looks the same).',
  409: 'The resource is in a state that forbids this (e.g. a booking that has ended; `currentStatus` says which), or a request with this idempotency key is in flight.',
  422: 'Understood but cannot be carried out (e.g. an idempotency key reused with another body).',
};

/** The problem+json answers a route may give, with the shared ProblemDetails schema. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiProblem(status, DESCRIPTIONS[status] ?? 'Problem')));
}
