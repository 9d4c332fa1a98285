/**
 * The PostgreSQL channel a consumer NOTIFYs when it commits a read-model change; every gateway
 * instance LISTENs on it (whichever instance applied the event, every waiting request hears it).
 * The payload names the row, never its content: a waiter re-reads it in its own tenant's scope.
 */
export const READ_MODEL_CHANNEL = 'gateway_read_model_changed';

export type ViewKind = 'booking' | 'payment' | 'refund';

export function changeKey(kind: ViewKind, merchantId: string, id: string): string {
  return `${kind}|${merchantId}|${id}`;
}

/** What a waiting list subscribes to: any change of the merchant's rows of that kind (the listener wakes it beside the row's own key). */
export function listChangeKey(kind: ViewKind, merchantId: string): string {
  return changeKey(kind, merchantId, '*');
}

/** The list key of a row's change key: its id replaced by `*`. */
export function listKeyOf(rowKey: string): string {
  return `${rowKey.slice(0, rowKey.lastIndexOf('|'))}|*`;
}
