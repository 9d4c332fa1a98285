// What the benchmarks share with the end-to-end tests: the whole platform in one process on the
// real infrastructure, with its log lines and handles; or its services as processes.
export { startPlatformInProcess, type LogLine, type PlatformInProcess } from './platform-in-process';
export { startPlatformProcesses, type PlatformProcesses } from './platform-processes';
