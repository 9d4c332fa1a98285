/**
 * The PostgreSQL channel a consumer NOTIFYs when it commits a read-model change; every gateway
 * instance LISTENs on it (whichever instance applied the event, every waiting request hears it).
 * The payload names the row, never its content: a waiter re-reads it in its own tenant's scope.
 */
export const READ_MODEL_CHANNEL = 'gateway_read_model_changed';

export type ViewKind = 'booking' | 'payment';

export function changeKey(kind: ViewKind, merchantId: string, id: string): string {
  return `${kind}|${merchantId}|${id}`;
}
