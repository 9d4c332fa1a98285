import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { catchError, throwError, type Observable } from 'rxjs';
import { InboxContext } from './inbox-context';

/**
 * Keeps a failing inbox handler's original error on its InboxContext: Nest's exception filters
 * turn it into `{ status: 'error', message: 'Internal server error' }` before the transport sees
 * it, and retries and dead letters must name the real error class and message. The error goes on
 * as an RpcException, which Nest's default filter passes through without logging it again
 * (the consumer runtime logs every failure as JSON, once, with its ids). A pass-through for every
 * other context (HTTP, other transports). MessagingModule registers it globally.
 */
@Injectable()
export class InboxErrorInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const inbox: unknown = context.switchToRpc().getContext();
    if (!(inbox instanceof InboxContext)) return next.handle();
    return next.handle().pipe(
      catchError((error: unknown) => {
        inbox.recordFailure(error);
        const errorClass = error instanceof Error ? error.name : typeof error;
        return throwError(() => new RpcException({ status: 'error', errorClass }));
      }),
    );
  }
}
