import { Controller, Get, Header, Param } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute } from '../auth/principal';
import { PROBLEM_TYPES, ProblemException, type ProblemType } from './problem';

/** `GET /problems/<type>`: what a problem type means, so the `type` URIs dereference. */
@ApiExcludeController()
@PublicRoute()
@Controller('problems')
export class ProblemsController {
  @Get()
  @Header('Cache-Control', 'public, max-age=3600')
  list(): Record<string, { status: number; title: string }> {
    return PROBLEM_TYPES;
  }

  @Get(':type')
  @Header('Cache-Control', 'public, max-age=3600')
  one(@Param('type') type: string): { type: string; status: number; title: string } {
    if (!Object.hasOwn(PROBLEM_TYPES, type)) throw ProblemException.of('not-found', 'No such problem type.');
    return { type: `/problems/${type}`, ...PROBLEM_TYPES[type as ProblemType] };
  }
}
