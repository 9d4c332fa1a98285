// Jest setupFiles of the containers project: its test files read the environment the
// testcontainers provider wrote (environmentFile), the same files in the integration project the
// local one's. Jest gives each test file its own copy of process.env, so this stays in this project.
process.env.PLATFORM_TEST_PROVIDER = 'testcontainers';
