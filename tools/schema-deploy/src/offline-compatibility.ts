import { Type } from 'avsc';

/**
 * Schema compatibility judged offline with avsc's resolver, the same machinery consumers use to
 * read a writer's data with their own schema. Pure.
 *
 * The project's offline rule is FULL_TRANSITIVE: every earlier version must be readable by the
 * current one (BACKWARD: new consumers, replays and dead-letter re-publishing read old data) AND
 * the current one must be readable by every earlier one (FORWARD: producers deploy first, old
 * consumers read new data). The registry enforces BACKWARD_TRANSITIVE; see decision 0006.
 */

export type ReadDirection = 'current-reads-earlier' | 'earlier-reads-current';

export interface CompatibilityProblem {
  readonly direction: ReadDirection;
  readonly reason: string;
}

function typeOf(schema: object): Type {
  // Plain avsc types (no project mapping): compatibility is about bytes and names, not about
  // how values are represented in memory. A fresh registry per call: versions share names.
  return Type.forSchema(schema as never, { registry: {} });
}

/** Why `reader` cannot read data written with `writer`, or undefined when it can. */
export function readProblem(reader: object, writer: object): string | undefined {
  try {
    typeOf(reader).createResolver(typeOf(writer));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export const COMPATIBILITY_DIRECTIONS: Readonly<Record<'BACKWARD' | 'FULL', readonly ReadDirection[]>> = {
  BACKWARD: ['current-reads-earlier'],
  FULL: ['current-reads-earlier', 'earlier-reads-current'],
};

/** Problems between one earlier version and the current one, in the given directions. */
export function compareVersions(
  earlier: object,
  current: object,
  directions: readonly ReadDirection[] = COMPATIBILITY_DIRECTIONS.FULL,
): CompatibilityProblem[] {
  const problems: CompatibilityProblem[] = [];
  for (const direction of directions) {
    const reason = direction === 'current-reads-earlier' ? readProblem(current, earlier) : readProblem(earlier, current);
    if (reason !== undefined) problems.push({ direction, reason });
  }
  return problems;
}

export function describeDirection(direction: ReadDirection): string {
  return direction === 'current-reads-earlier'
    ? 'the current schema cannot read data written with it (BACKWARD)'
    : 'consumers on it cannot read data written with the current schema (FORWARD)';
}
