import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

/**
 * Names the request's server span (made by the HTTP instrumentation, which knows only the method)
 * after the route template once Nest matched one: `POST /v1/bookings`, with `http.route` — never the
 * raw path, whose ids would make every span name unique. Only HTTP: the gateway's event handlers
 * run in the same application and have their consumer spans.
 */
@Injectable()
export class RouteSpanInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<Request>();
      const route = (request.route as { path?: string } | undefined)?.path;
      const span = trace.getActiveSpan();
      if (span !== undefined && route !== undefined) {
        span.updateName(`${request.method} ${route}`);
        span.setAttribute('http.route', route);
      }
    }
    return next.handle();
  }
}
