import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressVerdict, webhookUrlVerdict, type OutboundOptions } from '@txn/notification-domain';
import type { AttemptOutcome } from '../application/delivery-rules';
import type { AttemptResult, SendOptions } from '../application/ports';

/** The first bytes of a receiver's answer kept in the delivery log; the rest is not read. */
export const RESPONSE_EXCERPT_BYTES = 1_024;

class AddressRefused extends Error {
  readonly code = 'ERR_ADDRESS_REFUSED';
}

/**
 * A DNS lookup that refuses private, link-local and metadata addresses: node connects to the
 * address this returns, so the address checked is the address used (a name re-pointed between a
 * check and the connect, DNS rebinding, gains nothing).
 */
export function guardedLookup(options: OutboundOptions): LookupFunction {
  return (hostname: string, lookupOptions: LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error !== null) return callback(error, []);
      const refused = addresses.map((candidate) => ({ candidate, verdict: addressVerdict(candidate.address, options) })).find(({ verdict }) => !verdict.allowed);
      if (refused !== undefined && !refused.verdict.allowed) return callback(new AddressRefused(`${hostname} resolves to ${refused.candidate.address}: ${refused.verdict.reason}`), []);
      const [first] = addresses;
      if (lookupOptions.all === true) return callback(null, addresses);
      if (first === undefined) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      return callback(null, first.address, first.family);
    });
  };
}

function readExcerpt(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const done = (): void => resolve(Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8'));
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      // Bounded: what a receiver sends beyond the excerpt is never read.
      if (length >= RESPONSE_EXCERPT_BYTES) {
        response.destroy();
        done();
      }
    });
    response.on('end', done);
    response.on('error', done);
    response.on('close', done);
  });
}

function failure(outcome: AttemptOutcome, error: string, started: number): AttemptResult {
  return { outcome, statusCode: null, error: error.slice(0, 500), responseExcerpt: null, latency_ms: Date.now() - started };
}

/**
 * One POST of a webhook: the URL checked as registered (scheme, literal addresses), the name
 * checked again at connect time, no redirect followed (a 3xx is a failure), one timeout over the
 * whole exchange, the answer read up to a bound. Never throws: every end is an AttemptResult.
 */
export function postWebhook(url: string, body: string, headers: Readonly<Record<string, string>>, options: SendOptions): Promise<AttemptResult> {
  const started = Date.now();
  const verdict = webhookUrlVerdict(url, options);
  if (!verdict.allowed) return Promise.resolve(failure('ADDRESS_REFUSED', verdict.reason, started));
  const target = new URL(verdict.href);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: AttemptResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = send(target, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body).toString() }, lookup: guardedLookup(options), agent: false }, (response) => {
      void readExcerpt(response).then((excerpt) => {
        const statusCode = response.statusCode ?? 0;
        const succeeded = statusCode >= 200 && statusCode < 300;
        settle({ outcome: succeeded ? 'SUCCEEDED' : 'HTTP_ERROR', statusCode, error: succeeded ? null : `HTTP ${statusCode}`, responseExcerpt: excerpt === '' ? null : excerpt, latency_ms: Date.now() - started });
      });
    });
    const timer = setTimeout(() => {
      settle(failure('TIMEOUT', `no complete answer within ${options.timeout_ms} ms`, started));
      request.destroy();
    }, options.timeout_ms);
    request.on('error', (error: NodeJS.ErrnoException) => settle(failure(error.code === 'ERR_ADDRESS_REFUSED' ? 'ADDRESS_REFUSED' : 'CONNECTION_ERROR', `${error.code ?? error.name}: ${error.message}`, started)));
    request.end(body);
  });
}
