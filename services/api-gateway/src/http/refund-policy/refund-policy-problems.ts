import { InvalidRefundPolicyError, SupersededPolicyChangeError } from '../../application/set-refund-policy/set-refund-policy';
import { ProblemException } from '../problem';

/** A policy the rule refuses (400 naming /tiers), or an approval of a change a later one replaced (409). */
export function refundPolicyProblem(error: unknown): never {
  if (error instanceof SupersededPolicyChangeError) throw ProblemException.of('conflict', error.message, { currentStatus: 'SUPERSEDED' });
  if (!(error instanceof InvalidRefundPolicyError)) throw error;
  throw new ProblemException({ ...ProblemException.of('validation-failed', `The refund policy is not valid: ${error.message}.`).problem, errors: [{ pointer: '/tiers', detail: error.message }] });
}
