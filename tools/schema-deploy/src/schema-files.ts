import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_ROOT, compareText, type SchemaSource } from './schema-set';

/** Every .avsc under schemas/avro of the working tree, paths relative to the root, sorted. */
export function readSchemaSources(rootDir: string): SchemaSource[] {
  const found: SchemaSource[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(rootDir, relative), { withFileTypes: true })) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.avsc')) found.push({ path, text: readFileSync(join(rootDir, path), 'utf8') });
    }
  };
  walk(SCHEMA_ROOT);
  return found.sort((a, b) => compareText(a.path, b.path));
}

/** Topic names from deploy/kafka-topics.json, the project's list of topics. */
export function readKnownTopics(rootDir: string): string[] {
  const catalogue = JSON.parse(readFileSync(join(rootDir, 'deploy/kafka-topics.json'), 'utf8')) as { topics: { name: string }[] };
  return catalogue.topics.map((topic) => topic.name);
}
