/**
 * Faults the proxy injects, chosen per request by method, path pattern and (optionally) API key.
 * Pure: the table holds rules and counters; the server acts on what `take` returns.
 */

/**
 * - `timeout_after_work`: the PSP does the work (and the idempotent answer is stored), then the
 *   client loses the answer: the connection drops, or a gateway status (504) without the PSP's body.
 * - `error_before_work`: a 5xx before the PSP sees the request; nothing happened, nothing is stored.
 * - `delay`: wait `delay_ms`, then carry on as usual (slow PSP; client timeouts).
 * - `card_declined`: a synthetic `402 card_declined` instead of forwarding.
 */
export const FAULT_KINDS = ['timeout_after_work', 'error_before_work', 'delay', 'card_declined'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  readonly kind: FaultKind;
  /** `/v1/payment_intents/*\/capture`: `*` is one path segment, `**` any rest; no query string. */
  readonly path: string;
  /** HTTP method; every method when absent. */
  readonly method?: string;
  /** Only requests made with this API key: suites sharing one proxy use their own keys. */
  readonly api_key?: string;
  /** How many matching requests get the fault: 1 by default, unlimited with `probability`. */
  readonly times?: number;
  /** Each matching request gets the fault with this probability (seeded, so runs repeat). */
  readonly probability?: number;
  readonly seed?: number;
  /** `error_before_work`: 500-599 (default 503); `timeout_after_work`: 500-599 (default 504). */
  readonly status?: number;
  /** `timeout_after_work`: destroy the connection instead of answering a status. */
  readonly drop_connection?: boolean;
  readonly delay_ms?: number;
}

export interface ActiveFault {
  readonly id: string;
  readonly kind: FaultKind;
  readonly status: number;
  readonly drop_connection: boolean;
  readonly delay_ms: number;
}

export interface FaultRuleView {
  readonly id: string;
  readonly spec: FaultSpec;
  readonly injected: number;
  /** Injections left; null when unlimited. */
  readonly remaining: number | null;
}

export const MAX_FAULT_RULES = 256;
export const MAX_FAULT_DELAY_MS = 120_000;
const MAX_TIMES = 1_000_000;
const DEFAULT_BEFORE_WORK_STATUS = 503;
const DEFAULT_AFTER_WORK_STATUS = 504;

export type ParsedFault = { readonly ok: true; readonly spec: FaultSpec } | { readonly ok: false; readonly error: string };

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Validates a rule from the admin API or a test; the error names the offending field. */
export function parseFaultSpec(input: unknown): ParsedFault {
  if (typeof input !== 'object' || input === null) return { ok: false, error: 'a fault is a JSON object' };
  const raw = input as Record<string, unknown>;
  const kind = raw.kind;
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) return { ok: false, error: `kind must be one of ${FAULT_KINDS.join(', ')}` };
  if (typeof raw.path !== 'string' || !raw.path.startsWith('/')) return { ok: false, error: 'path must be a pattern starting with /' };
  if (raw.method !== undefined && (typeof raw.method !== 'string' || !/^[A-Za-z]+$/.test(raw.method))) return { ok: false, error: 'method must be an HTTP method' };
  if (raw.api_key !== undefined && typeof raw.api_key !== 'string') return { ok: false, error: 'api_key must be a string' };
  if (raw.times !== undefined && !isInteger(raw.times, 1, MAX_TIMES)) return { ok: false, error: `times must be an integer in 1..${MAX_TIMES}` };
  if (raw.probability !== undefined && (typeof raw.probability !== 'number' || !(raw.probability > 0 && raw.probability <= 1))) {
    return { ok: false, error: 'probability must be in (0, 1]' };
  }
  if (raw.seed !== undefined && !isInteger(raw.seed, 0, 2 ** 32 - 1)) return { ok: false, error: 'seed must be an unsigned 32-bit integer' };
  if (raw.status !== undefined && !isInteger(raw.status, 500, 599)) return { ok: false, error: 'status must be 500-599' };
  if (raw.drop_connection !== undefined && typeof raw.drop_connection !== 'boolean') return { ok: false, error: 'drop_connection must be a boolean' };
  if (kind === 'delay' && !isInteger(raw.delay_ms, 1, MAX_FAULT_DELAY_MS)) return { ok: false, error: `delay needs delay_ms in 1..${MAX_FAULT_DELAY_MS}` };
  if (kind !== 'delay' && raw.delay_ms !== undefined) return { ok: false, error: 'delay_ms belongs to kind delay' };
  const spec: FaultSpec = {
    kind: kind as FaultKind,
    path: raw.path,
    ...(raw.method === undefined ? {} : { method: (raw.method as string).toUpperCase() }),
    ...(raw.api_key === undefined ? {} : { api_key: raw.api_key as string }),
    ...(raw.times === undefined ? {} : { times: raw.times }),
    ...(raw.probability === undefined ? {} : { probability: raw.probability, seed: (raw.seed as number | undefined) ?? 0 }),
    ...(raw.status === undefined ? {} : { status: raw.status }),
    ...(raw.drop_connection === undefined ? {} : { drop_connection: raw.drop_connection }),
    ...(raw.delay_ms === undefined ? {} : { delay_ms: raw.delay_ms as number }),
  };
  return { ok: true, spec };
}

/** `*` = one path segment, `**` = anything from there on; everything else literal. */
export function pathPattern(pattern: string): RegExp {
  const source = pattern
    .split('/')
    .map((segment) => (segment === '**' ? '.*' : segment === '*' ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

/** mulberry32: a tiny seeded generator, so a probabilistic fault plan repeats run after run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Rule {
  readonly id: string;
  readonly spec: FaultSpec;
  readonly path: RegExp;
  readonly random: (() => number) | undefined;
  remaining: number | null;
  injected: number;
}

export interface FaultRequest {
  readonly method: string;
  readonly path: string;
  readonly api_key: string | undefined;
}

export class FaultTable {
  private rules: Rule[] = [];
  private nextId = 1;

  /** Adds a rule after the existing ones (the first matching rule that fires wins). */
  add(spec: FaultSpec): string {
    if (this.rules.length >= MAX_FAULT_RULES) throw new Error(`at most ${MAX_FAULT_RULES} fault rules at once; clear some first`);
    const id = `fault_${this.nextId}`;
    this.nextId += 1;
    const remaining = spec.times ?? (spec.probability === undefined ? 1 : null);
    const random = spec.probability === undefined ? undefined : seededRandom(spec.seed ?? 0);
    this.rules.push({ id, spec, path: pathPattern(spec.path), random, remaining, injected: 0 });
    return id;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRuleView[] {
    return this.rules.map(({ id, spec, injected, remaining }) => ({ id, spec, injected, remaining }));
  }

  /** The fault for this request, if any; consumes one injection of the rule that fires. */
  take(request: FaultRequest): ActiveFault | undefined {
    for (const rule of this.rules) {
      if (!matches(rule, request)) continue;
      if (rule.random !== undefined && rule.random() >= (rule.spec.probability ?? 1)) continue;
      rule.injected += 1;
      if (rule.remaining !== null) {
        rule.remaining -= 1;
        if (rule.remaining === 0) this.remove(rule.id);
      }
      return toActive(rule);
    }
    return undefined;
  }
}

function matches(rule: Rule, request: FaultRequest): boolean {
  const { spec } = rule;
  if (spec.method !== undefined && spec.method !== request.method.toUpperCase()) return false;
  if (spec.api_key !== undefined && spec.api_key !== request.api_key) return false;
  return rule.path.test(request.path);
}

function toActive(rule: Rule): ActiveFault {
  const { spec } = rule;
  const defaultStatus = spec.kind === 'error_before_work' ? DEFAULT_BEFORE_WORK_STATUS : DEFAULT_AFTER_WORK_STATUS;
  return {
    id: rule.id,
    kind: spec.kind,
    status: spec.kind === 'card_declined' ? 402 : (spec.status ?? defaultStatus),
    drop_connection: spec.drop_connection ?? false,
    delay_ms: spec.delay_ms ?? 0,
  };
}
