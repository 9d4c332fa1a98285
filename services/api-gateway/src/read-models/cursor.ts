import { ProblemException } from '../http/problem';

/** A page's position: the last row's creation time and id (rows are listed newest first, ties by id). Opaque to clients. */
export interface Cursor {
  readonly at: Date;
  readonly id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify({ at: cursor.at.toISOString(), id: cursor.id }), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { at?: unknown; id?: unknown };
    const at = typeof parsed.at === 'string' ? new Date(parsed.at) : new Date(Number.NaN);
    if (Number.isNaN(at.getTime()) || typeof parsed.id !== 'string') throw new Error('not a cursor');
    return { at, id: parsed.id };
  } catch {
    throw new ProblemException({ ...ProblemException.of('validation-failed', 'The cursor is not one this API gave out.').problem, errors: [{ pointer: '/cursor', detail: 'cursor must be a nextCursor from a previous page' }] });
  }
}
