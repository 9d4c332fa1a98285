import { COMPATIBILITY_DIRECTIONS, compareVersions } from './offline-compatibility';

/**
 * The deploy step against a Confluent-compatible registry (Apicurio's ccompat API here):
 * check every subject with the registry's compatibility endpoint, then register. Producers never
 * register at run time. Apicurio's behaviour: docs/decisions/0003-schema-registry.md.
 */

/** The project's policy for every subject (same value as @txn/infra-local's SUBJECT_COMPATIBILITY). */
export const SUBJECT_POLICY = 'BACKWARD_TRANSITIVE';
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
/** A local registry answers in milliseconds; a slow one is broken, not busy. */
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export interface SchemaCatalogueEntry {
  readonly subject: string;
  readonly schema: object;
}
/** eventType → entry; @txn/contracts' EVENT_TYPES fits. */
export type SchemaCatalogue = Readonly<Record<string, SchemaCatalogueEntry>>;

export interface SchemaDeployOptions {
  /** Prepended to every subject: tests use a suite-unique prefix. */
  readonly subjectPrefix?: string;
  readonly requestTimeout_ms?: number;
}

export interface RegisteredSubject {
  readonly eventType: string;
  readonly subject: string;
  readonly id: number;
  readonly version: number;
}

export interface IncompatibleVersion {
  /** The registered version that cannot be read, or 'latest' when the registry named none. */
  readonly version: number | 'latest';
  readonly reason: string;
}

export interface SubjectCompatibility {
  readonly eventType: string;
  readonly subject: string;
  /** A subject without versions is compatible (nothing to compare with). */
  readonly compatible: boolean;
  readonly incompatibleVersions: readonly IncompatibleVersion[];
}

export class SchemaRegistryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SchemaRegistryError';
  }
}

export class SchemaCompatibilityError extends Error {
  constructor(readonly incompatible: readonly SubjectCompatibility[]) {
    super(`incompatible schemas:\n${formatIncompatibilities(incompatible)}`);
    this.name = 'SchemaCompatibilityError';
  }
}

export function formatIncompatibilities(reports: readonly SubjectCompatibility[]): string {
  return reports
    .filter((report) => !report.compatible)
    .flatMap((report) => report.incompatibleVersions.map((v) => `  ${report.subject} version ${v.version}: ${v.reason}`))
    .join('\n');
}

interface RegistryResponse {
  readonly status: number;
  readonly body: unknown;
}

class RegistryHttp {
  constructor(
    private readonly baseUrl: string,
    private readonly timeout_ms: number,
  ) {}

  async request(method: 'GET' | 'POST' | 'PUT', path: string, body?: object): Promise<RegistryResponse> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { 'Content-Type': CONTENT_TYPE, Accept: CONTENT_TYPE },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeout_ms),
      });
    } catch (error) {
      throw new SchemaRegistryError(`${method} ${url} failed: ${(error as Error).message}`);
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      // Keep the text: error pages are not always JSON.
    }
    return { status: response.status, body: parsed };
  }

  async expectOk(method: 'GET' | 'POST' | 'PUT', path: string, body?: object): Promise<unknown> {
    const response = await this.request(method, path, body);
    if (response.status < 200 || response.status >= 300) {
      throw new SchemaRegistryError(`${method} ${path} answered ${response.status}: ${describeBody(response.body)}`, response.status);
    }
    return response.body;
  }
}

function describeBody(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'message' in body) return String((body as { message: unknown }).message);
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function subjectPath(subject: string): string {
  return `/subjects/${encodeURIComponent(subject)}`;
}

function entriesOf(catalogue: SchemaCatalogue, options: SchemaDeployOptions): { eventType: string; subject: string; schema: object }[] {
  return Object.entries(catalogue)
    .map(([eventType, entry]) => ({ eventType, subject: `${options.subjectPrefix ?? ''}${entry.subject}`, schema: entry.schema }))
    .sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
}

/**
 * Says which registered versions the new schema cannot follow and why. Apicurio's ccompat
 * endpoint answers a bare {"is_compatible": false} (it ignores `verbose`), so the reason comes
 * from avsc's resolver over each registered version, as the offline check does.
 */
async function explainIncompatibility(http: RegistryHttp, subject: string, schema: object): Promise<IncompatibleVersion[]> {
  const versions = (await http.expectOk('GET', `${subjectPath(subject)}/versions`)) as number[];
  const found: IncompatibleVersion[] = [];
  for (const version of versions) {
    const registered = (await http.expectOk('GET', `${subjectPath(subject)}/versions/${version}`)) as { schema: string };
    for (const problem of compareVersions(JSON.parse(registered.schema) as object, schema, COMPATIBILITY_DIRECTIONS.BACKWARD)) {
      found.push({ version, reason: problem.reason });
    }
  }
  return found;
}

async function checkSubject(http: RegistryHttp, eventType: string, subject: string, schema: object): Promise<SubjectCompatibility> {
  const response = await http.request('POST', `/compatibility${subjectPath(subject)}/versions/latest?verbose=true`, {
    schema: JSON.stringify(schema),
  });
  // Confluent answers 404 (40401) for a subject without versions; Apicurio answers true.
  if (response.status === 404) return { eventType, subject, compatible: true, incompatibleVersions: [] };
  if (response.status !== 200) {
    throw new SchemaRegistryError(`compatibility check of ${subject} answered ${response.status}: ${describeBody(response.body)}`, response.status);
  }
  const verdict = response.body as { is_compatible?: boolean; messages?: string[] };
  if (verdict.is_compatible === true) return { eventType, subject, compatible: true, incompatibleVersions: [] };
  const explained = await explainIncompatibility(http, subject, schema);
  const registryMessages = (verdict.messages ?? []).join('; ');
  return {
    eventType,
    subject,
    compatible: false,
    incompatibleVersions:
      explained.length > 0 ? explained : [{ version: 'latest', reason: registryMessages || `the registry says incompatible under ${SUBJECT_POLICY}` }],
  };
}

/** Asks the registry, for every subject, whether the catalogue's schema may be registered next. */
export async function checkCompatibility(registryUrl: string, catalogue: SchemaCatalogue, options: SchemaDeployOptions = {}): Promise<SubjectCompatibility[]> {
  const http = new RegistryHttp(registryUrl, options.requestTimeout_ms ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const reports: SubjectCompatibility[] = [];
  for (const { eventType, subject, schema } of entriesOf(catalogue, options)) {
    reports.push(await checkSubject(http, eventType, subject, schema));
  }
  return reports;
}

/**
 * The subject's level must be the policy before anything is registered. An existing subject
 * with another level is refused rather than overwritten: someone chose it, and a person decides.
 * (Apicurio answers an existing subject without its own rule with its configured default.)
 */
async function setSubjectPolicy(http: RegistryHttp, subject: string): Promise<void> {
  const current = await http.request('GET', `/config/${encodeURIComponent(subject)}`);
  if (current.status === 200) {
    const level = (current.body as { compatibilityLevel?: string }).compatibilityLevel;
    if (level !== SUBJECT_POLICY) {
      throw new SchemaRegistryError(`${subject} has compatibility ${String(level)}, not ${SUBJECT_POLICY}; change it deliberately (PUT /config/${subject}) before deploying`);
    }
  } else if (current.status !== 404) {
    throw new SchemaRegistryError(`GET /config/${subject} answered ${current.status}: ${describeBody(current.body)}`, current.status);
  }
  const stored = (await http.expectOk('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: SUBJECT_POLICY })) as { compatibility?: string };
  if (stored.compatibility !== SUBJECT_POLICY) {
    throw new SchemaRegistryError(`PUT /config/${subject} stored ${String(stored.compatibility)} instead of ${SUBJECT_POLICY}`);
  }
}

/**
 * Checks every subject first (nothing is registered when one is incompatible), then sets each
 * subject's compatibility to BACKWARD_TRANSITIVE explicitly and registers its schema. Idempotent:
 * an identical schema answers its existing id and version.
 */
export async function registerSchemas(registryUrl: string, catalogue: SchemaCatalogue, options: SchemaDeployOptions = {}): Promise<RegisteredSubject[]> {
  const reports = await checkCompatibility(registryUrl, catalogue, options);
  const incompatible = reports.filter((report) => !report.compatible);
  if (incompatible.length > 0) throw new SchemaCompatibilityError(incompatible);

  const http = new RegistryHttp(registryUrl, options.requestTimeout_ms ?? DEFAULT_REQUEST_TIMEOUT_MS);
  const registered: RegisteredSubject[] = [];
  for (const { eventType, subject, schema } of entriesOf(catalogue, options)) {
    await setSubjectPolicy(http, subject);
    const text = JSON.stringify(schema);
    const response = await http.request('POST', `${subjectPath(subject)}/versions`, { schema: text });
    if (response.status === 409) {
      // Checked a moment ago; another deploy may have registered in between.
      throw new SchemaCompatibilityError([{ eventType, subject, compatible: false, incompatibleVersions: [{ version: 'latest', reason: describeBody(response.body) }] }]);
    }
    if (response.status !== 200) {
      throw new SchemaRegistryError(`POST ${subjectPath(subject)}/versions answered ${response.status}: ${describeBody(response.body)}`, response.status);
    }
    const { id } = response.body as { id: number };
    // The lookup names the version this content has under the subject (the POST gives only the id).
    const found = (await http.expectOk('POST', subjectPath(subject), { schema: text })) as { id: number; version: number };
    if (found.id !== id) throw new SchemaRegistryError(`${subject}: registered as id ${id} but looked up as id ${found.id}`);
    registered.push({ eventType, subject, id, version: found.version });
  }
  return registered;
}
