/** What stands for a field whose customer was erased: the key is gone, so is the value. */
export const ERASED = '[erased]';

/** `a***@example.com`: enough for a support person to recognise a customer, not to contact or identify one. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0] ?? ''}***${email.slice(at)}`;
}

const CANDIDATE = /\d(?:[ -]?\d){12,18}/g;

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Whether a text holds something that is a payment card number (13–19 digits, spaces or dashes between, Luhn-valid). */
export function containsCardNumber(text: string): boolean {
  return [...text.matchAll(CANDIDATE)].some((match) => luhnValid(match[0].replace(/[ -]/g, '')));
}

/** The text with every card-number-like run replaced: a platform that never needs a PAN never keeps one (PCI DSS). */
export function redactCardNumbers(text: string): string {
  return text.replace(CANDIDATE, (run) => (luhnValid(run.replace(/[ -]/g, '')) ? '[card number removed]' : run));
}
