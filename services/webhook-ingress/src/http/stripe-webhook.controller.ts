import { Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { receiveWebhook, type ReceiveWebhookDependencies } from '../application/receive-webhook/receive-webhook';
import type { Delivery } from '../application/ports';
import type { WebhookSecret } from '../application/receive-webhook/signature';
import { INGRESS_CONTEXT, type IngressContext } from '../ingress-context';
import { sendIngressProblem } from './problem';

/** The headers kept with a delivery as evidence; never Authorization or cookies. */
const KEPT_HEADERS = ['content-type', 'stripe-signature', 'user-agent', 'content-length'];

function keptHeaders(request: Request): Record<string, string> {
  return Object.fromEntries(KEPT_HEADERS.flatMap((name) => (typeof request.headers[name] === 'string' ? [[name, request.headers[name]]] : [])));
}

/**
 * `POST /webhooks/stripe` (the account `default`) and `POST /webhooks/stripe/<account>` (each
 * further account, its own secrets): Stripe's deliveries. 2xx only once the event is durably stored
 * with its outbox row; a repeated delivery is 2xx and publishes nothing; a refused one is a 400 that
 * says nothing about why; an account we do not have is a 404; our database down is a 503, so
 * Stripe delivers again.
 */
@Controller('webhooks')
export class StripeWebhookController {
  constructor(@Inject(INGRESS_CONTEXT) private readonly context: IngressContext) {}

  @Post('stripe')
  @HttpCode(200)
  receive(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.receiveFor('default', this.context.settings.stripeSecrets, request, response);
  }

  @Post('stripe/:account')
  @HttpCode(200)
  receiveForAccount(@Param('account') account: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const secrets = this.context.settings.stripeAccounts.get(account);
    if (secrets === undefined) {
      this.context.metrics.rejected.inc({ provider: 'stripe', reason: 'unknown_account' });
      this.context.logger.warn({ reason: 'unknown_account', source: request.socket.remoteAddress }, 'webhook refused');
      sendIngressProblem(response, 'not-found');
      return Promise.resolve();
    }
    return this.receiveFor(account, secrets, request, response);
  }

  private async receiveFor(account: string, secrets: readonly WebhookSecret[], request: Request, response: Response): Promise<void> {
    const { logger, metrics } = this.context;
    if (!request.is('application/json') || !Buffer.isBuffer(request.body)) {
      metrics.rejected.inc({ provider: 'stripe', reason: 'content_type' });
      logger.warn({ reason: 'content_type', source: request.socket.remoteAddress }, 'webhook refused');
      sendIngressProblem(response, 'unsupported-media-type');
      return;
    }
    const delivery: Delivery = { provider: 'stripe', account, raw: request.body, headers: keptHeaders(request), sourceAddress: request.socket.remoteAddress ?? null, receivedAt: new Date() };
    const receipt = await receiveWebhook(delivery, request.header('stripe-signature'), this.dependencies(secrets));
    if (receipt.kind === 'rejected') {
      metrics.rejected.inc({ provider: 'stripe', reason: receipt.reason });
      logger.warn({ reason: receipt.reason, source: delivery.sourceAddress }, 'webhook refused');
      sendIngressProblem(response, 'rejected');
      return;
    }
    metrics.stored.inc({ provider: 'stripe', outcome: receipt.first ? 'first' : 'duplicate' });
    if (receipt.first && !receipt.published) metrics.unpublishedTypes.inc({ provider: 'stripe', event_type: receipt.pspEventType });
    logger.info({ account, pspEventId: receipt.pspEventId, pspEventType: receipt.pspEventType, first: receipt.first, published: receipt.published, secretId: receipt.secretId }, 'webhook stored');
    response.status(200).json({ received: true, duplicate: !receipt.first });
  }

  private dependencies(secrets: readonly WebhookSecret[]): ReceiveWebhookDependencies {
    const { store, settings } = this.context;
    return { store, secrets, tolerance_s: settings.tolerance_s };
  }
}
