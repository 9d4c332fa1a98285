import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StripeErrorAnswer } from './stripe-errors';

/** Bound on a request body the proxy reads (API and admin API). */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/** One answer to a client, whole: the proxy never streams. */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export class BodyTooLarge extends Error {}

/**
 * Reads a whole body, throwing BodyTooLarge past the limit. Past it the rest is read and dropped
 * rather than the loop left: leaving a `for await` destroys the request and its socket, and the
 * client would get a reset instead of its 413 (the proxy itself then failed on the socket gone).
 */
export async function readBody(stream: IncomingMessage, limit_bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= limit_bytes) chunks.push(buffer);
  }
  if (size > limit_bytes) throw new BodyTooLarge();
  return Buffer.concat(chunks);
}

/** A JSON answer. */
export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(JSON.stringify(body)) };
}

/** A Stripe-shaped error as an answer. */
export function stripeErrorAnswer(error: StripeErrorAnswer, headers: Record<string, string> = {}): Answer {
  return jsonAnswer(error.status, error.body, headers);
}

/** Writes the answer with its length. */
export function send(response: ServerResponse, answer: Answer): void {
  response.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
  response.end(answer.body);
}
