import { EVENT_TYPES, TOPIC_EVENT_TYPES, type ContractTopic } from '@txn/contracts';
import { registerSchemas, type SchemaCatalogue } from '@txn/schema-deploy';
import { createSuiteScope, deleteSubjects, secretFiles, testEnvironment, type Cleanups, type SuiteScope } from '@txn/testing';

/** Bound on the registry calls that remove the suite's subjects. */
const REGISTRY_TIMEOUT_MS = 5_000;

/**
 * The suite's own topic for each contract topic (`test.<scope>.<contract-topic>`), created with
 * `partitions` each, and every contract on those topics registered under its suite subject (what
 * the deploy step does for the real topics: producers never register at run time). Subjects are
 * removed at clean-up; the topics go with the scope.
 */
export async function suiteTopics<T extends ContractTopic>(scope: SuiteScope, contractTopics: readonly T[], partitions: number, cleanups: Cleanups): Promise<Record<T, string>> {
  const topicOf = Object.fromEntries(contractTopics.map((topic) => [topic, scope.topic(topic.replace(/\./g, '-'))])) as Record<T, string>;
  await scope.createTopics(contractTopics.map((topic) => ({ topic: topicOf[topic], numPartitions: partitions })));
  const catalogue: Record<string, SchemaCatalogue[string]> = {};
  for (const topic of contractTopics) {
    for (const eventType of TOPIC_EVENT_TYPES[topic]) {
      const contract = EVENT_TYPES[eventType];
      catalogue[eventType] = { subject: `${topicOf[topic]}-${contract.fullName}`, schema: contract.schema };
    }
  }
  const { schemaRegistry } = testEnvironment();
  const subjects = (await registerSchemas(schemaRegistry.url, catalogue)).map((entry) => entry.subject);
  cleanups.push(() => deleteSubjects(schemaRegistry.url, subjects, REGISTRY_TIMEOUT_MS));
  return topicOf;
}

/** A suite's own resources: its scope, its topics (with their schemas) and a folder for its secret files; all undone by `cleanups`. */
export async function suiteResources<T extends ContractTopic>(
  suiteName: string,
  contractTopics: readonly T[],
  partitions: number,
  cleanups: Cleanups,
): Promise<{ readonly scope: SuiteScope; readonly topicOf: Record<T, string>; readonly secret: (name: string, value: string) => string }> {
  const scope = await createSuiteScope(suiteName);
  cleanups.push(() => scope.dispose());
  const topicOf = await suiteTopics(scope, contractTopics, partitions, cleanups);
  const secrets = secretFiles(`${suiteName}-secrets-`);
  cleanups.push(() => secrets.remove());
  return { scope, topicOf, secret: secrets.write };
}
