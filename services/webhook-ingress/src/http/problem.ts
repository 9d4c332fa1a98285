import type { Response } from 'express';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * RFC 9457 problems of the ingress. To the PSP (or whoever posts here) a refused webhook says only
 * that it was refused: which check failed is for our logs and metrics, not for a prober.
 */
export const INGRESS_PROBLEMS = {
  rejected: { status: 400, title: 'The webhook was not accepted' },
  'not-found': { status: 404, title: 'Not found' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported content type' },
  unavailable: { status: 503, title: 'Temporarily unavailable; deliver again later' },
} as const;

export type IngressProblem = keyof typeof INGRESS_PROBLEMS;

export function sendIngressProblem(response: Response, type: IngressProblem): void {
  const { status, title } = INGRESS_PROBLEMS[type];
  if (response.headersSent) return;
  response.status(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify({ type: `/problems/${type}`, title, status }));
}
