import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { receiveWebhook, type ReceiveWebhookDependencies } from '../application/receive-webhook/receive-webhook';
import type { Delivery } from '../application/ports';
import { INGRESS_CONTEXT, type IngressContext } from '../ingress-context';
import { sendIngressProblem } from './problem';

/** The headers kept with a delivery as evidence; never Authorization or cookies. */
const KEPT_HEADERS = ['content-type', 'stripe-signature', 'user-agent', 'content-length'];

function keptHeaders(request: Request): Record<string, string> {
  return Object.fromEntries(KEPT_HEADERS.flatMap((name) => (typeof request.headers[name] === 'string' ? [[name, request.headers[name]]] : [])));
}

/**
 * `POST /webhooks/stripe`: Stripe's deliveries. 2xx only once the event is durably stored with its
 * outbox row; a repeated delivery is 2xx and publishes nothing; a refused one is a 400 that says
 * nothing about why; our database down is a 503, so Stripe delivers again.
 */
@Controller('webhooks')
export class StripeWebhookController {
  constructor(@Inject(INGRESS_CONTEXT) private readonly context: IngressContext) {}

  @Post('stripe')
  @HttpCode(200)
  async receive(@Req() request: Request, @Res() response: Response): Promise<void> {
    const { logger, metrics } = this.context;
    if (!request.is('application/json') || !Buffer.isBuffer(request.body)) {
      metrics.rejected.inc({ provider: 'stripe', reason: 'content_type' });
      logger.warn({ reason: 'content_type', source: request.socket.remoteAddress }, 'webhook refused');
      sendIngressProblem(response, 'unsupported-media-type');
      return;
    }
    const delivery: Delivery = { provider: 'stripe', account: 'default', raw: request.body, headers: keptHeaders(request), sourceAddress: request.socket.remoteAddress ?? null, receivedAt: new Date() };
    const receipt = await receiveWebhook(delivery, request.header('stripe-signature'), this.dependencies());
    if (receipt.kind === 'rejected') {
      metrics.rejected.inc({ provider: 'stripe', reason: receipt.reason });
      logger.warn({ reason: receipt.reason, source: delivery.sourceAddress }, 'webhook refused');
      sendIngressProblem(response, 'rejected');
      return;
    }
    metrics.stored.inc({ provider: 'stripe', outcome: receipt.first ? 'first' : 'duplicate' });
    if (receipt.first && !receipt.published) metrics.unpublishedTypes.inc({ provider: 'stripe', event_type: receipt.pspEventType });
    logger.info({ pspEventId: receipt.pspEventId, pspEventType: receipt.pspEventType, first: receipt.first, published: receipt.published, secretId: receipt.secretId }, 'webhook stored');
    response.status(200).json({ received: true, duplicate: !receipt.first });
  }

  private dependencies(): ReceiveWebhookDependencies {
    const { transactions, store, settings } = this.context;
    return { transactions, store, secrets: settings.stripeSecrets, tolerance_s: settings.tolerance_s };
  }
}
