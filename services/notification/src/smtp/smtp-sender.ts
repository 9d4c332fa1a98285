import { createTransport } from 'nodemailer';
import type { EmailSender } from '../application/ports';

export interface SmtpSettings {
  /** smtp://host:port (smtps:// for implicit TLS). */
  readonly url: string;
  readonly from: string;
  readonly timeout_ms: number;
}

/**
 * Customers' emails through nodemailer's SMTP transport. The Message-ID is the message's own id,
 * so the one email sent twice (the SMTP server accepted it, then we crashed before recording it)
 * carries the same Message-ID both times, and mail clients thread it as one.
 */
export function smtpSender(settings: SmtpSettings): { readonly send: EmailSender; close(): void } {
  const url = new URL(settings.url);
  const transport = createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
    secure: url.protocol === 'smtps:',
    ...(url.username === '' ? {} : { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }),
    connectionTimeout: settings.timeout_ms,
    greetingTimeout: settings.timeout_ms,
    socketTimeout: settings.timeout_ms,
  });
  return {
    send: async (message) => {
      const info = await transport.sendMail({
        from: settings.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: `<${message.messageId}@notification.txn.local>`,
        headers: { 'X-Txn-Message-Id': message.messageId },
      });
      return String(info.response ?? info.messageId);
    },
    close: () => transport.close(),
  };
}
