import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES } from './problem';

@ApiSchema({ name: 'FieldError' })
export class FieldErrorSchema {
  @ApiProperty({ type: String, description: 'A JSON Pointer (RFC 6901) into the request body.', example: '/amount' })
  pointer!: string;

  @ApiProperty({ type: String, example: 'amount must be an integer number' })
  detail!: string;
}

/** RFC 9457 problem details: the body of every error (`application/problem+json`). Extension members carry the figures a client needs to act. */
@ApiSchema({ name: 'ProblemDetails', description: 'RFC 9457 problem details (application/problem+json).' })
export class ProblemDetailsSchema {
  @ApiProperty({ type: String, description: 'A stable relative URI naming the problem; branch on it. `GET /problems` lists them.', enum: Object.keys(PROBLEM_TYPES).map((type) => `/problems/${type}`), example: '/problems/validation-failed' })
  type!: string;

  @ApiProperty({ type: String, description: 'A human summary of the type (never varies for a type).' })
  title!: string;

  @ApiProperty({ type: Number, description: 'The HTTP status, repeated.', example: 400 })
  status!: number;

  @ApiPropertyOptional({ type: String, description: 'What went wrong with this request, in words.' })
  detail?: string;

  @ApiPropertyOptional({ type: String })
  instance?: string;

  @ApiPropertyOptional({ type: [FieldErrorSchema], description: 'Validation: one entry per failed field constraint.' })
  errors?: FieldErrorSchema[];
}

/** An error response of a route, documented as problem+json with the shared ProblemDetails schema. */
export const ApiProblem = (status: number, description: string): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiExtraModels(ProblemDetailsSchema, FieldErrorSchema),
    ApiResponse({ status, description, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetailsSchema) } } } }),
  );
