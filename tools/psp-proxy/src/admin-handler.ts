import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFaultSpec, type FaultTable } from './faults';
import { MAX_REQUEST_BODY_BYTES, jsonAnswer, readBody, send, type Answer } from './http-messages';
import type { PspProxyStats } from './proxy-types';

/** What the admin API works with: the fault rules and the proxy's statistics. */
export interface AdminContext {
  readonly faultTable: FaultTable;
  readonly stats: () => PspProxyStats;
}

/** True for the admin API's paths (`/_stats`, `/_faults…`); every other path is the PSP's. */
export function isAdminPath(pathname: string): boolean {
  return pathname === '/_stats' || pathname.startsWith('/_faults');
}

/** An empty 204. */
function noContent(): Answer {
  return { status: 204, headers: {}, body: Buffer.alloc(0) };
}

/** Answers the admin API: statistics, and listing, adding and removing fault rules. */
export async function handleAdmin(context: AdminContext, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const method = request.method ?? 'GET';
  if (url.pathname === '/_stats' && method === 'GET') return send(response, jsonAnswer(200, context.stats()));
  if (url.pathname === '/_faults' && method === 'GET') return send(response, jsonAnswer(200, { faults: context.faultTable.list() }));
  if (url.pathname === '/_faults' && method === 'DELETE') {
    context.faultTable.clear();
    return send(response, noContent());
  }
  if (url.pathname === '/_faults' && method === 'POST') return send(response, await addFaults(context.faultTable, request));
  const one = /^\/_faults\/([A-Za-z0-9_]+)$/.exec(url.pathname);
  if (one?.[1] !== undefined && method === 'DELETE') {
    return send(response, context.faultTable.remove(one[1]) ? noContent() : jsonAnswer(404, { error: `no fault ${one[1]}` }));
  }
  send(response, jsonAnswer(404, { error: `no admin route ${method} ${url.pathname}` }));
}

/** Adds the rules of a `POST /_faults` body (one rule or `{ "faults": [...] }`); none when one of them is invalid. */
async function addFaults(table: FaultTable, request: IncomingMessage): Promise<Answer> {
  let input: unknown;
  try {
    input = JSON.parse((await readBody(request, MAX_REQUEST_BODY_BYTES)).toString('utf8'));
  } catch {
    return jsonAnswer(400, { error: 'body must be a JSON fault or { "faults": [...] }' });
  }
  const list = typeof input === 'object' && input !== null && Array.isArray((input as { faults?: unknown }).faults) ? (input as { faults: unknown[] }).faults : [input];
  const parsed = list.map(parseFaultSpec);
  const invalid = parsed.find((result) => !result.ok);
  if (invalid !== undefined && !invalid.ok) return jsonAnswer(400, { error: invalid.error });
  try {
    const ids = parsed.map((result) => (result.ok ? table.add(result.spec) : ''));
    return jsonAnswer(201, { ids });
  } catch (error) {
    return jsonAnswer(400, { error: (error as Error).message });
  }
}
