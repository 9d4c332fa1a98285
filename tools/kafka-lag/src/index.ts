export { startLagExporter, type LagExporterOptions, type RunningLagExporter } from './exporter';
export { offsetLag, oldestUnconsumedOffset, timeLagSeconds, type GroupLag, type PartitionLag } from './lag';
export { measureConsumerLag, type MeasureOptions } from './measure';
export { lagTable } from './table';
export { measureDeadLetters, type DeadLetterDepth } from './dead-letters';
