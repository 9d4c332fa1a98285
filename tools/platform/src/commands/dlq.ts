import { kafkaBrokers, type PlatformConfig } from '@txn/infra-local';
import { acknowledgeDeadLetters, listDeadLetters, replayDeadLetters, showDeadLetter, type DeadLetterAdminOptions, type ParkedMessage } from '@txn/messaging';

export const DLQ_USAGE = `usage: ./platform dlq <command>
  list                                   dead-letter topics: kept offsets, replayed-up-to mark, pending count
  show <dlq-topic> [--offset N]          one parked message, or the first pending ones (headers, no payload)
  replay <dlq-topic> (--offset N | --all) re-publish to the original topic (+ x-replayed-from);
                                         --all continues from the replayed-up-to mark
  ack <dlq-topic> (--offset N | --all)   mark as dealt with, without re-publishing: for a message
                                         that must never be applied (undecodable, not ours);
                                         --offset only for the next one in line`;

function write(line: string): void {
  process.stdout.write(`${line}\n`);
}

function optionValue(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (value === undefined || !/^\d+$/.test(value)) throw new UsageError(`${name} needs a non-negative integer`);
  return value;
}

class UsageError extends Error {}

function printParked(message: ParkedMessage): void {
  const failure = message.failure;
  write(`${message.topic} @ ${message.offset}${message.replayed ? '  (replayed)' : ''}`);
  write(`  key            ${message.key ?? '(none)'}`);
  write(`  event          ${message.eventType ?? '?'} ${message.eventId ?? '?'}`);
  write(`  value          ${message.valueBytes} bytes, writer schema id ${message.writerSchemaId ?? '(not wire format)'}`);
  if (failure === undefined) {
    write('  (no dead-letter headers: not parked by the consumer runtime)');
    return;
  }
  write(`  from           ${failure.originalTopic} partition ${failure.originalPartition} offset ${failure.originalOffset}`);
  write(`  group          ${failure.consumerGroup}`);
  write(`  reason         ${failure.reason} after ${failure.attempts} attempt(s), ${failure.firstFailureAt} .. ${failure.lastFailureAt}`);
  write(`  error          ${failure.errorClass}: ${failure.errorMessage}`);
}

/** `--offset N` or `--all`, exactly one. */
function selection(verb: string, args: readonly string[]): { offset: string } | { all: true } {
  const offset = optionValue(args, '--offset');
  const all = args.includes('--all');
  if ((offset === undefined) === !all) throw new UsageError(`${verb} needs exactly one of --offset N or --all`);
  return offset !== undefined ? { offset } : { all: true };
}

/** `./platform dlq list | show | replay | ack`; returns the process exit code. */
export async function runDlqCommand(args: readonly string[], config: PlatformConfig): Promise<number> {
  const options: DeadLetterAdminOptions = { brokers: kafkaBrokers(config), clientId: 'platform-dlq' };
  const [command, topic, ...rest] = args;
  try {
    switch (command) {
      case 'list': {
        const summaries = await listDeadLetters(options);
        if (summaries.length === 0) write('no dead-letter topics');
        for (const s of summaries) write(`${s.topic}  pending=${s.pending}  kept=${s.lowOffset}..${s.highOffset}  replayed-up-to=${s.replayedUpTo}`);
        return 0;
      }
      case 'show': {
        if (topic === undefined) throw new UsageError('show needs a dead-letter topic');
        const offset = optionValue(rest, '--offset');
        const parked = await showDeadLetter(options, topic, offset === undefined ? {} : { offset });
        if (parked.length === 0) write(`${topic}: nothing pending`);
        parked.forEach(printParked);
        return 0;
      }
      case 'replay': {
        if (topic === undefined) throw new UsageError('replay needs a dead-letter topic');
        const report = await replayDeadLetters(options, topic, selection('replay', rest));
        write(`${topic}: replayed ${report.replayedOffsets.length} message(s)${report.replayedOffsets.length > 0 ? ` (offsets ${report.replayedOffsets.join(', ')})` : ''}`);
        if (report.skippedOffsets.length > 0) write(`  skipped (no dead-letter headers): ${report.skippedOffsets.join(', ')}`);
        write(`  replayed-up-to=${report.replayedUpTo}  remaining=${report.remaining}`);
        return 0;
      }
      case 'ack': {
        if (topic === undefined) throw new UsageError('ack needs a dead-letter topic');
        const report = await acknowledgeDeadLetters(options, topic, selection('ack', rest));
        write(`${topic}: acknowledged ${report.acknowledgedOffsets.length} message(s) without replaying${report.acknowledgedOffsets.length > 0 ? ` (offsets ${report.acknowledgedOffsets.join(', ')})` : ''}`);
        write(`  replayed-up-to=${report.replayedUpTo}  remaining=${report.remaining}`);
        return 0;
      }
      default:
        throw new UsageError(command === undefined ? 'name a command' : `unknown command ${command}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`dlq: ${error.message}\n${DLQ_USAGE}\n`);
      return 2;
    }
    process.stderr.write(`dlq: ${(error as Error).message}\n`);
    return 1;
  }
}
