import Handlebars from 'handlebars';
import { formatMoney, money } from '@txn/money';

/** The moments of a booking a customer gets an email for. */
export const EMAIL_TEMPLATE_NAMES = ['BOOKING_HELD', 'BOOKING_CONFIRMED', 'BOOKING_CANCELLED', 'PAYMENT_REFUNDED'] as const;
export type EmailTemplateName = (typeof EMAIL_TEMPLATE_NAMES)[number];

export interface EmailAmount {
  readonly minor: bigint;
  readonly currency: string;
}

/**
 * What an email may say. Which fields a template needs is the template's own business: it
 * throws when one it uses is missing (Handlebars' strict mode), it never prints an empty gap.
 */
export interface EmailModel {
  /** Not carried by the contracts yet (only the email is): the greeting goes without it. */
  readonly customerName?: string;
  readonly bookingId: string;
  readonly resourceName?: string;
  /** ISO 8601 with an offset or Z; shown in UTC until the model carries the resource's time zone. */
  readonly slotStart?: string;
  readonly slotEnd?: string;
  readonly amount?: EmailAmount;
  readonly refundedAmount?: EmailAmount;
  readonly reason?: string;
}

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** A field longer than this is not a name or a reason but a bug upstream (or an attack on the mail). */
export const MAX_EMAIL_FIELD_LENGTH = 500;

interface TemplateSource {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const SLOT_TEXT = 'from {{slotStart}} to {{slotEnd}}';

// Only `{{…}}`, never `{{{…}}}`: every value in the html part is escaped.
const SOURCES: Readonly<Record<EmailTemplateName, TemplateSource>> = {
  BOOKING_HELD: {
    subject: '{{resourceName}} is held for you (booking {{bookingId}})',
    text: `Hello{{#if customerName}} {{customerName}}{{/if}},\n\nwe are holding {{resourceName}} for you ${SLOT_TEXT}.{{#if amount}} To confirm the booking, pay {{amount}}.{{/if}}\n\nBooking: {{bookingId}}\n`,
    html: `<p>Hello{{#if customerName}} {{customerName}}{{/if}},</p><p>we are holding <strong>{{resourceName}}</strong> for you ${SLOT_TEXT}.{{#if amount}} To confirm the booking, pay <strong>{{amount}}</strong>.{{/if}}</p><p>Booking: {{bookingId}}</p>`,
  },
  BOOKING_CONFIRMED: {
    subject: 'Your booking of {{resourceName}} is confirmed ({{bookingId}})',
    text: `Hello{{#if customerName}} {{customerName}}{{/if}},\n\nyour booking of {{resourceName}} ${SLOT_TEXT} is confirmed. We received {{amount}}.\n\nBooking: {{bookingId}}\n`,
    html: `<p>Hello{{#if customerName}} {{customerName}}{{/if}},</p><p>your booking of <strong>{{resourceName}}</strong> ${SLOT_TEXT} is confirmed. We received <strong>{{amount}}</strong>.</p><p>Booking: {{bookingId}}</p>`,
  },
  BOOKING_CANCELLED: {
    subject: 'Your booking {{bookingId}} is cancelled',
    text: `Hello{{#if customerName}} {{customerName}}{{/if}},\n\nyour booking{{#if resourceName}} of {{resourceName}}{{/if}}{{#if slotStart}} ${SLOT_TEXT}{{/if}} is cancelled.{{#if reason}} Reason: {{reason}}.{{/if}}\n\nBooking: {{bookingId}}\n`,
    html: `<p>Hello{{#if customerName}} {{customerName}}{{/if}},</p><p>your booking{{#if resourceName}} of <strong>{{resourceName}}</strong>{{/if}}{{#if slotStart}} ${SLOT_TEXT}{{/if}} is cancelled.{{#if reason}} Reason: {{reason}}.{{/if}}</p><p>Booking: {{bookingId}}</p>`,
  },
  PAYMENT_REFUNDED: {
    subject: 'We refunded {{refundedAmount}} for booking {{bookingId}}',
    text: `Hello{{#if customerName}} {{customerName}}{{/if}},\n\nwe refunded {{refundedAmount}}{{#if amount}} of the {{amount}} you paid{{/if}} for booking {{bookingId}}.{{#if reason}} Reason: {{reason}}.{{/if}} It may take a few days to show on your statement.\n`,
    html: `<p>Hello{{#if customerName}} {{customerName}}{{/if}},</p><p>we refunded <strong>{{refundedAmount}}</strong>{{#if amount}} of the {{amount}} you paid{{/if}} for booking {{bookingId}}.{{#if reason}} Reason: {{reason}}.{{/if}} It may take a few days to show on your statement.</p>`,
  },
};

/**
 * An environment of our own (no helper another module registers on the global one reaches our
 * templates), built-in helpers only, strict: a missing field throws instead of printing nothing.
 * The text and the subject are plain text and so not HTML-escaped; the html part is.
 */
const handlebars = Handlebars.create();
const STRICT = { strict: true, knownHelpersOnly: true } as const;
const RUNTIME = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false } as const;

type CompiledTemplate = Readonly<Record<keyof TemplateSource, HandlebarsTemplateDelegate<EmailView>>>;

/** Compiled once, here; Handlebars finishes the compilation on a template's first render and keeps it. */
const TEMPLATES = Object.fromEntries(
  EMAIL_TEMPLATE_NAMES.map((name) => {
    const source = SOURCES[name];
    const compiled: CompiledTemplate = {
      subject: handlebars.compile<EmailView>(source.subject, { ...STRICT, noEscape: true }),
      text: handlebars.compile<EmailView>(source.text, { ...STRICT, noEscape: true }),
      html: handlebars.compile<EmailView>(source.html, { ...STRICT, noEscape: false }),
    };
    return [name, compiled];
  }),
) as Readonly<Record<EmailTemplateName, CompiledTemplate>>;

/** The model as the templates read it: every value a string, an absent one absent (so strict mode sees it). */
type EmailView = { readonly [K in keyof EmailModel]?: string };

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** "2026-12-03 10:00 UTC"; a day that does not exist (Feb 30, which Date.parse moves to March) is refused. */
function formatInstant(field: string, iso: string): string {
  const match = ISO_INSTANT.exec(iso);
  const instant_ms = Date.parse(iso);
  const [year, month, day] = (match ?? []).slice(1).map(Number);
  const dayExists = year !== undefined && month !== undefined && day !== undefined && new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
  if (match === null || Number.isNaN(instant_ms) || !dayExists) throw new RangeError(`${field} ${JSON.stringify(iso)} is not an ISO 8601 instant`);
  return `${new Date(instant_ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Exact, from the integer: "12.50 EUR", "1250 JPY", "1.250 KWD" (the one money formatter, @txn/money's). */
function formatAmount(field: string, amount: EmailAmount): string {
  if (amount.minor < 0n) throw new RangeError(`${field} ${amount.minor} is negative`);
  return formatMoney(money(amount.minor, amount.currency));
}

const TEXT_FIELDS = ['customerName', 'bookingId', 'resourceName', 'reason'] as const;

function viewOf(model: EmailModel): EmailView {
  const view: { -readonly [K in keyof EmailView]: string } = {};
  for (const field of TEXT_FIELDS) {
    const value = model[field];
    if (value === undefined) continue;
    if (value.length > MAX_EMAIL_FIELD_LENGTH) throw new RangeError(`${field} is longer than ${MAX_EMAIL_FIELD_LENGTH} characters`);
    view[field] = value;
  }
  for (const field of ['slotStart', 'slotEnd'] as const) {
    const value = model[field];
    if (value !== undefined) view[field] = formatInstant(field, value);
  }
  for (const field of ['amount', 'refundedAmount'] as const) {
    const value = model[field];
    if (value !== undefined) view[field] = formatAmount(field, value);
  }
  return view;
}

/** A mail header is one line: a line break in a customer's name must not start a header of its own. */
function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ').replace(/ {2,}/g, ' ').trim();
}

/** The customer email for one moment of a booking; throws when the model lacks a field the template uses. */
export function renderEmail(name: EmailTemplateName, model: EmailModel): RenderedEmail {
  const template = TEMPLATES[name];
  const view = viewOf(model);
  try {
    return { subject: oneLine(template.subject(view, RUNTIME)), text: template.text(view, RUNTIME), html: template.html(view, RUNTIME) };
  } catch (error) {
    throw new Error(`cannot render the ${name} email: ${(error as Error).message}`, { cause: error });
  }
}
