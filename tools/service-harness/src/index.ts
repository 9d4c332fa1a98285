export { suiteResources, suiteTopics } from './suite-topics';
export { suiteSender, type SuiteSender } from './suite-sender';
export { outcomesOf, startSuiteService, TEST_RETRY, type SuiteService, type SuiteServiceOptions } from './suite-service';
