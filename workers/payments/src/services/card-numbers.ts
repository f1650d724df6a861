/**
 * Card data must never reach the platform (clients pay through the provider's own UI), so any free-text field that
 * holds something shaped like a card number is refused: 13 to 19 digits, spaces or dashes allowed between them, that
 * pass the Luhn check. Longer digit runs are searched window by window, so a number inside other digits is found.
 */
const DIGIT_RUN = /\d(?:[ -]?\d){12,}/g;

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Whether `text` holds a Luhn-valid run of 13 to 19 digits. */
export function looksLikeCardNumber(text: string): boolean {
  for (const match of text.matchAll(DIGIT_RUN)) {
    const digits = match[0].replace(/[ -]/g, '');
    for (let length = 13; length <= Math.min(19, digits.length); length++) {
      for (let start = 0; start + length <= digits.length; start++) {
        if (luhnValid(digits.slice(start, start + length))) return true;
      }
    }
  }
  return false;
}

/** The message a refused field carries. */
export const CARD_NUMBER_MESSAGE = 'Looks like a card number: card data must never be sent to this API.';
