/** What the faults do to a request, before, during and after the PSP's work (see faults.ts for the kinds). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFaultSpec, type ActiveFault, type FaultTable } from './faults';
import { send, stripeErrorAnswer, type Answer } from './http-messages';
import type { FaultControl } from './proxy-types';
import * as answers from './stripe-errors';

/** The public control over the fault table: rules are validated as the admin API validates them. */
export function faultControlOf(table: FaultTable): FaultControl {
  return {
    inject(spec) {
      const parsed = parseFaultSpec(spec);
      if (!parsed.ok) throw new Error(`invalid fault: ${parsed.error}`);
      return table.add(parsed.spec);
    },
    remove: (id) => table.remove(id),
    clear: () => table.clear(),
    list: () => table.list(),
  };
}

/** The gateway error an `error_before_work` fault answers instead of the PSP; undefined for every other fault. */
export function answerBeforeWork(fault: ActiveFault | undefined): Answer | undefined {
  if (fault?.kind !== 'error_before_work') return undefined;
  return stripeErrorAnswer(answers.gatewayError(fault.status, 'the PSP could not be reached'));
}

/**
 * Applies a fault to the PSP's work: a delay, then the real call (undefined), or a synthetic decline
 * instead of it. A delay is a slow PSP: it runs while the idempotency key is held, so retries
 * meanwhile see the key in use.
 */
export async function answerDuringWork(fault: ActiveFault | undefined): Promise<Answer | undefined> {
  if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.delay_ms));
  if (fault?.kind === 'card_declined') return stripeErrorAnswer(answers.cardDeclined());
  return undefined;
}

/** Sends the answer, unless a `timeout_after_work` fault makes the client lose it. */
export function deliver(request: IncomingMessage, response: ServerResponse, answer: Answer, fault: ActiveFault | undefined): void {
  if (fault?.kind === 'timeout_after_work') {
    // The work is done and its answer stored; only this client never sees it.
    if (fault.drop_connection) {
      request.socket.destroy();
      return;
    }
    return send(response, stripeErrorAnswer(answers.gatewayError(fault.status, 'the PSP did not answer in time')));
  }
  send(response, answer);
}
