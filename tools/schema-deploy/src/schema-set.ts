import { Type } from 'avsc';

/**
 * From the .avsc files under schemas/avro to one self-contained schema per event: pure (text in,
 * values out), so the generator, the offline history check and the deploy step read schemas the
 * same way. Rules it enforces are listed in docs/decisions/0006-avro-contracts.md.
 */

export type AvroJson = null | boolean | number | string | AvroJson[] | { [key: string]: AvroJson };
export type AvroObject = { [key: string]: AvroJson };

export interface SchemaSource {
  /** Relative to the repository root, e.g. schemas/avro/booking/BookingHeld.avsc. */
  readonly path: string;
  readonly text: string;
}

export interface NamedTypeDefinition {
  readonly fullName: string;
  readonly name: string;
  readonly namespace: string;
  readonly kind: 'record' | 'enum' | 'fixed';
  /** Qualified: its own namespace explicit, every reference a full name. */
  readonly definition: AvroObject;
  readonly path: string;
}

export interface EventSchema {
  readonly eventType: string;
  readonly fullName: string;
  readonly domain: string;
  readonly topic: string;
  readonly subject: string;
  readonly path: string;
  readonly doc: string;
  /** Self-contained: every named type defined where first used; what gets registered. */
  readonly schema: AvroObject;
  readonly sensitiveFields: readonly string[];
}

export interface SchemaSet {
  /** Sorted by topic, then event type. */
  readonly events: readonly EventSchema[];
  /** Every named type (events included), sorted by full name. */
  readonly namedTypes: readonly NamedTypeDefinition[];
}

export type SchemaSetResult = { readonly ok: true; readonly set: SchemaSet } | { readonly ok: false; readonly problems: readonly string[] };

export interface SchemaSetOptions {
  /** Topics an event may name in "x-topic"; omitted: not checked (history). */
  readonly knownTopics?: readonly string[];
}

export const SCHEMA_ROOT = 'schemas/avro';
export const ENVELOPE_TYPE = 'txn.common.Envelope';
export const ENVELOPE_FIELD = 'envelope';
export const TOPIC_ATTRIBUTE = 'x-topic';
export const SENSITIVE_ATTRIBUTE = 'x-sensitive';

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED_KINDS = new Set(['record', 'error', 'enum', 'fixed']);
/** Money and amounts are integers; a binary float in a payment message is a bug waiting. */
const FORBIDDEN_PRIMITIVES = new Set(['float', 'double']);

/** TopicRecordNameStrategy: one topic carries several event types (see decision 0006). */
export function subjectName(topic: string, fullName: string): string {
  return `${topic}-${fullName}`;
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isObject(value: AvroJson | undefined): value is AvroObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function qualifiedName(name: string, namespace: string): string {
  return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
}

interface Collector {
  readonly definitions: Map<string, NamedTypeDefinition>;
  readonly problems: string[];
}

/**
 * Rewrites a schema so that every named definition states its namespace and every reference is
 * a full name, registering each definition; also checks the field-level rules.
 */
function qualify(schema: AvroJson, namespace: string, path: string, where: string, collector: Collector): AvroJson {
  if (typeof schema === 'string') {
    if (PRIMITIVES.has(schema)) {
      if (FORBIDDEN_PRIMITIVES.has(schema)) collector.problems.push(`${path}: ${where} is a ${schema}; use long (minor units) or string`);
      return schema;
    }
    return qualifiedName(schema, namespace);
  }
  if (Array.isArray(schema)) return schema.map((branch) => qualify(branch, namespace, path, where, collector));
  if (!isObject(schema)) {
    collector.problems.push(`${path}: ${where} has an invalid type ${JSON.stringify(schema)}`);
    return schema;
  }
  const kind = schema.type;
  if (typeof kind !== 'string') return { ...schema, type: qualify(kind ?? null, namespace, path, where, collector) };
  if (NAMED_KINDS.has(kind)) return qualifyNamed(schema, kind, namespace, path, collector);
  if (kind === 'array') return { ...schema, items: qualify(schema.items ?? null, namespace, path, `${where}[]`, collector) };
  if (kind === 'map') return { ...schema, values: qualify(schema.values ?? null, namespace, path, `${where}{}`, collector) };
  if (FORBIDDEN_PRIMITIVES.has(kind)) collector.problems.push(`${path}: ${where} is a ${kind}; use long (minor units) or string`);
  return { ...schema };
}

function qualifyNamed(schema: AvroObject, kind: string, enclosing: string, path: string, collector: Collector): AvroObject {
  const rawName = schema.name;
  if (typeof rawName !== 'string' || rawName === '') {
    collector.problems.push(`${path}: a ${kind} without a name`);
    return schema;
  }
  const explicitNamespace = typeof schema.namespace === 'string' ? schema.namespace : undefined;
  const fullName = rawName.includes('.') ? rawName : qualifiedName(rawName, explicitNamespace ?? enclosing);
  const lastDot = fullName.lastIndexOf('.');
  const name = fullName.slice(lastDot + 1);
  const namespace = lastDot < 0 ? '' : fullName.slice(0, lastDot);
  // name and namespace first, then the rest in source order: deterministic and readable.
  const { name: _name, namespace: _namespace, ...rest } = schema;
  const definition: AvroObject = { type: rest.type ?? kind, name, namespace };
  for (const [key, value] of Object.entries(rest)) {
    if (key === 'fields') definition.fields = qualifyFields(value, namespace, path, fullName, collector);
    else definition[key] = value;
  }
  const existing = collector.definitions.get(fullName);
  if (existing !== undefined) {
    collector.problems.push(`${path}: ${fullName} is already defined in ${existing.path}; define a named type once and refer to it by name`);
  } else {
    const namedKind = kind === 'error' ? 'record' : (kind as NamedTypeDefinition['kind']);
    collector.definitions.set(fullName, { fullName, name, namespace, kind: namedKind, definition, path });
  }
  return definition;
}

function qualifyFields(fields: AvroJson, namespace: string, path: string, owner: string, collector: Collector): AvroJson {
  if (!Array.isArray(fields)) {
    collector.problems.push(`${path}: ${owner} has no fields array`);
    return fields;
  }
  return fields.map((field) => {
    if (!isObject(field) || typeof field.name !== 'string') {
      collector.problems.push(`${path}: ${owner} has a field without a name`);
      return field;
    }
    const where = `${owner}.${field.name}`;
    checkFieldRules(field, path, where, collector.problems);
    return { ...field, type: qualify(field.type ?? null, namespace, path, where, collector) };
  });
}

function checkFieldRules(field: AvroObject, path: string, where: string, problems: string[]): void {
  const sensitive = field[SENSITIVE_ATTRIBUTE];
  if (sensitive !== undefined && sensitive !== true) problems.push(`${path}: ${where} has "${SENSITIVE_ATTRIBUTE}": ${JSON.stringify(sensitive)}; only true is meaningful`);
  const type = field.type;
  if (!Array.isArray(type)) return;
  // One union shape only: optional = ["null", T] with default null, so it can be added later
  // compatibly and maps to `T | null` without ambiguity.
  if (type.length !== 2 || type[0] !== 'null' || field.default !== null || Array.isArray(type[1]) || type[1] === 'null') {
    problems.push(`${path}: ${where} is a union; only ["null", T] with "default": null is allowed`);
  }
}

/** Replaces the first reference to each named type by its definition (Avro's parse order). */
function inline(schema: AvroJson, definitions: ReadonlyMap<string, NamedTypeDefinition>, defined: Set<string>, problems: string[], path: string): AvroJson {
  if (typeof schema === 'string') {
    if (PRIMITIVES.has(schema) || defined.has(schema)) return schema;
    const definition = definitions.get(schema);
    if (definition === undefined) {
      problems.push(`${path}: refers to ${schema}, which no file under ${SCHEMA_ROOT} defines`);
      return schema;
    }
    return inline(definition.definition, definitions, defined, problems, path);
  }
  if (Array.isArray(schema)) return schema.map((branch) => inline(branch, definitions, defined, problems, path));
  if (!isObject(schema)) return schema;
  const kind = schema.type;
  if (typeof kind === 'string' && NAMED_KINDS.has(kind)) {
    const fullName = qualifiedName(String(schema.name), String(schema.namespace ?? ''));
    if (defined.has(fullName)) return fullName;
    defined.add(fullName);
    if (!Array.isArray(schema.fields)) return { ...schema };
    const fields = schema.fields.map((field) =>
      isObject(field) ? { ...field, type: inline(field.type ?? null, definitions, defined, problems, path) } : field,
    );
    return { ...schema, fields };
  }
  if (kind === 'array') return { ...schema, items: inline(schema.items ?? null, definitions, defined, problems, path) };
  if (kind === 'map') return { ...schema, values: inline(schema.values ?? null, definitions, defined, problems, path) };
  if (typeof kind !== 'string') return { ...schema, type: inline(kind ?? null, definitions, defined, problems, path) };
  return schema;
}

/** Dotted paths (`slot.resourceId`, `postings[].accountId`) of fields marked sensitive. */
function sensitivePaths(schema: AvroJson, prefix: string, seen: Set<string>, namesByFullName: Map<string, AvroObject>): string[] {
  if (typeof schema === 'string') {
    const named = namesByFullName.get(schema);
    return named === undefined || seen.has(schema) ? [] : sensitivePaths(named, prefix, new Set([...seen, schema]), namesByFullName);
  }
  if (Array.isArray(schema)) return schema.flatMap((branch) => sensitivePaths(branch, prefix, seen, namesByFullName));
  if (!isObject(schema)) return [];
  if (schema.type === 'array') return sensitivePaths(schema.items ?? null, `${prefix}[]`, seen, namesByFullName);
  if (schema.type === 'map') return sensitivePaths(schema.values ?? null, `${prefix}{}`, seen, namesByFullName);
  if (!Array.isArray(schema.fields)) return [];
  const fullName = qualifiedName(String(schema.name), String(schema.namespace ?? ''));
  namesByFullName.set(fullName, schema);
  const inner = new Set([...seen, fullName]);
  return schema.fields.flatMap((field) => {
    if (!isObject(field)) return [];
    const path = prefix === '' ? String(field.name) : `${prefix}.${String(field.name)}`;
    return field[SENSITIVE_ATTRIBUTE] === true ? [path] : sensitivePaths(field.type ?? null, path, inner, namesByFullName);
  });
}

function domainOf(path: string): string | undefined {
  const relative = path.startsWith(`${SCHEMA_ROOT}/`) ? path.slice(SCHEMA_ROOT.length + 1) : undefined;
  const parts = relative?.split('/');
  return parts !== undefined && parts.length === 2 ? parts[0] : undefined;
}

function parseSource(source: SchemaSource, problems: string[]): AvroObject | undefined {
  let parsed: AvroJson;
  try {
    parsed = JSON.parse(source.text) as AvroJson;
  } catch (error) {
    problems.push(`${source.path}: not JSON (${(error as Error).message})`);
    return undefined;
  }
  const domain = domainOf(source.path);
  if (domain === undefined) {
    problems.push(`${source.path}: schemas live in ${SCHEMA_ROOT}/<domain>/<Name>.avsc`);
    return undefined;
  }
  if (!isObject(parsed) || typeof parsed.type !== 'string' || !NAMED_KINDS.has(parsed.type)) {
    problems.push(`${source.path}: the top level must be one named record, enum or fixed`);
    return undefined;
  }
  const expectedNamespace = `txn.${domain}`;
  if (parsed.namespace !== expectedNamespace) problems.push(`${source.path}: namespace must be "${expectedNamespace}" (its folder), not ${JSON.stringify(parsed.namespace)}`);
  const fileName = source.path.slice(source.path.lastIndexOf('/') + 1);
  if (fileName !== `${String(parsed.name)}.avsc`) problems.push(`${source.path}: the file must be named after its type: ${String(parsed.name)}.avsc`);
  return parsed;
}

function checkEvent(parsed: AvroObject, qualified: AvroObject, path: string, options: SchemaSetOptions, problems: string[]): string | undefined {
  const topic = parsed[TOPIC_ATTRIBUTE];
  if (typeof topic !== 'string') {
    problems.push(`${path}: "${TOPIC_ATTRIBUTE}" must be a topic name`);
    return undefined;
  }
  if (parsed.type !== 'record') problems.push(`${path}: only records can be events ("${TOPIC_ATTRIBUTE}")`);
  if (options.knownTopics !== undefined && !options.knownTopics.includes(topic)) {
    problems.push(`${path}: topic "${topic}" is not in deploy/kafka-topics.json (${options.knownTopics.join(', ')})`);
  }
  const fields = Array.isArray(qualified.fields) ? qualified.fields : [];
  const first = fields[0];
  if (!isObject(first) || first.name !== ENVELOPE_FIELD || first.type !== ENVELOPE_TYPE) {
    problems.push(`${path}: the first field must be { "name": "${ENVELOPE_FIELD}", "type": "${ENVELOPE_TYPE}" }`);
  }
  if (typeof parsed.doc !== 'string' || parsed.doc.trim() === '') problems.push(`${path}: an event needs a "doc" saying what happened (it feeds docs/events.md)`);
  return topic;
}

/** Parses, validates and resolves a set of .avsc files; problems are values, all at once. */
export function buildSchemaSet(sources: readonly SchemaSource[], options: SchemaSetOptions = {}): SchemaSetResult {
  const problems: string[] = [];
  const collector: Collector = { definitions: new Map(), problems };
  const candidates: { parsed: AvroObject; qualified: AvroObject; path: string }[] = [];
  for (const source of [...sources].sort((a, b) => compareText(a.path, b.path))) {
    const parsed = parseSource(source, problems);
    if (parsed === undefined) continue;
    if (parsed[TOPIC_ATTRIBUTE] !== undefined) {
      candidates.push({ parsed, qualified: qualify(parsed, '', source.path, String(parsed.name), collector) as AvroObject, path: source.path });
    } else {
      qualify(parsed, '', source.path, String(parsed.name), collector);
    }
  }
  if (!collector.definitions.has(ENVELOPE_TYPE)) problems.push(`${SCHEMA_ROOT}/common/Envelope.avsc must define ${ENVELOPE_TYPE}`);

  const events: EventSchema[] = [];
  const eventTypes = new Map<string, string>();
  for (const { parsed, qualified, path } of candidates) {
    const topic = checkEvent(parsed, qualified, path, options, problems);
    const name = String(qualified.name);
    const fullName = `${String(qualified.namespace)}.${name}`;
    const clash = eventTypes.get(name);
    if (clash !== undefined) problems.push(`${path}: event type ${name} is also defined in ${clash}; event types (short names) must be unique`);
    eventTypes.set(name, path);
    const schema = inline(qualified, collector.definitions, new Set(), problems, path) as AvroObject;
    try {
      Type.forSchema(schema as never);
    } catch (error) {
      problems.push(`${path}: avsc refuses the resolved schema: ${(error as Error).message}`);
      continue;
    }
    if (topic === undefined) continue;
    events.push({
      eventType: name,
      fullName,
      domain: domainOf(path) ?? '',
      topic,
      subject: subjectName(topic, fullName),
      path,
      doc: typeof parsed.doc === 'string' ? parsed.doc : '',
      schema,
      sensitiveFields: sensitivePaths(schema, '', new Set(), new Map()),
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  events.sort((a, b) => compareText(a.topic, b.topic) || compareText(a.eventType, b.eventType));
  const namedTypes = [...collector.definitions.values()].sort((a, b) => compareText(a.fullName, b.fullName));
  return { ok: true, set: { events, namedTypes } };
}
