import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ProblemException, type FieldError } from './problem';

/** JSON Pointer segments escape `~` and `/` (RFC 6901). */
function pointerSegment(property: string): string {
  return property.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** class-validator's tree, flattened to one error per failed constraint, each with its field's pointer. */
export function fieldErrors(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const pointer = `${parent}/${pointerSegment(error.property)}`;
    const own = Object.values(error.constraints ?? {}).map((detail) => ({ pointer, detail }));
    return [...own, ...fieldErrors(error.children ?? [], pointer)];
  });
}

/**
 * Bodies, queries and parameters are validated against their DTO classes: unknown fields refused
 * (not silently dropped: a misspelt field would otherwise be ignored), types never coerced from a
 * body (a string is not an amount), every failure named by its field.
 */
export function gatewayValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ProblemException({ ...ProblemException.of('validation-failed', 'Some fields are missing or not valid.').problem, errors: fieldErrors(errors) }),
  });
}
