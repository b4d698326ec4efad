/** The names in a staff list, in the order shown (each links to the person's page). */
export const staffNames = (body: string) =>
  [...body.matchAll(/<a href="\/staff\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);

/**
 * A page with its characters past Latin-1 as the browser shows them: the app
 * sends them as numeric references (escapeWide in src/views/html.ts) so a page
 * is stored one byte a character. References below 256 (`&#39;`) stay as sent.
 */
export const readable = (body: string) =>
  body.replace(/&#(\d+);/g, (reference, code: string) =>
    Number(code) > 0xff ? String.fromCodePoint(Number(code)) : reference,
  );
