import { once } from 'node:events';
import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { readBody, type Answer } from './http-messages';

/** Bound on an answer the proxy reads from the PSP. */
export const MAX_RESPONSE_BODY_BYTES = 16 * 1024 * 1024;
/** Connections kept open to localstripe; more concurrent calls queue in the agent. */
const UPSTREAM_MAX_SOCKETS = 32;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'content-length']);

/** The client's headers that travel on to the PSP. */
function forwardableHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/** The PSP's headers that travel back to the client, repeated ones joined. */
function answerHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The PSP sandbox behind the proxy: one bounded call per forwarded request, over kept-alive connections. */
export class PspUpstream {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: UPSTREAM_MAX_SOCKETS });

  constructor(
    readonly url: URL,
    private readonly timeout_ms: number,
  ) {}

  /** Sends the client's request (method, headers, body) to `target` at the PSP and reads its whole answer. */
  async forward(request: IncomingMessage, target: string, body: Buffer): Promise<Answer> {
    const upstreamRequest = httpRequest(new URL(target, this.url), {
      method: request.method,
      agent: this.agent,
      headers: { ...forwardableHeaders(request.headers), host: this.url.host, 'content-length': String(body.length) },
      signal: AbortSignal.timeout(this.timeout_ms),
    });
    upstreamRequest.end(body);
    const [upstreamResponse] = (await once(upstreamRequest, 'response')) as [IncomingMessage];
    const responseBody = await readBody(upstreamResponse, MAX_RESPONSE_BODY_BYTES);
    return { status: upstreamResponse.statusCode ?? 502, headers: answerHeaders(upstreamResponse.headers), body: responseBody };
  }

  /** Closes the kept-alive connections to the PSP. */
  close(): void {
    this.agent.destroy();
  }
}
