// What the benchmarks share with the end-to-end tests: the whole platform in one process on the
// real infrastructure, with its log lines and handles.
export { startPlatformInProcess, type LogLine, type PlatformInProcess } from './platform-in-process';
