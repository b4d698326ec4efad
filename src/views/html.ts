/** Output of one of our own templates: already escaped, so `<%= %>` passes it through. */
export interface Rendered {
  readonly __rendered: string;
}

/** Marks HTML that our own templates produced (and so escaped) as safe to include. */
export function rendered(html: string): Rendered {
  return { __rendered: html };
}

function isRendered(value: unknown): value is Rendered {
  return typeof value === 'object' && value !== null && '__rendered' in value;
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const SPECIALS = /[&<>"']/g;
/** One of the five, or a character past Latin-1 (see escapeHtml). */
const ESCAPED = /[&<>"'\u0100-\uffff]/;
const WIDE = /[\u0100-\uffff]/;
/** A character past Latin-1, a surrogate pair as one. */
const WIDE_CHARACTERS = /[\u0100-\u{10ffff}]/gu;

/** A character past Latin-1 as a numeric reference: the browser shows the same character. */
function wideToReference(character: string): string {
  return `&#${character.codePointAt(0)};`;
}

/**
 * Characters past Latin-1 (Nguyễn, Łucja, “quotes”, a dash, an emoji) leave
 * as numeric references, built a character at a time so the result is stored
 * one byte a character. One such character anywhere makes V8 store the whole
 * page two bytes a character, and a page past 64,000 characters then costs a
 * large-object allocation, and a slow UTF-8 encoding, on every request: over a
 * third of a list page's CPU (docs/performance.md).
 */
function escapeWide(value: string): string {
  let out = '';
  for (const character of value) {
    out += character > '\u00ff' ? wideToReference(character) : (ENTITIES[character] ?? character);
  }
  return out;
}

/**
 * Every `<%= %>` goes through here, thousands of times for a list page; most
 * values (numbers, dates, names, constants) hold nothing to escape, so they
 * are checked once and returned as they are.
 */
export function escapeHtml(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') {
    if (isRendered(value)) return value.__rendered;
    return escapeHtml(String(value ?? ''));
  }
  if (!ESCAPED.test(value)) return value;
  if (WIDE.test(value)) return escapeWide(value);
  return value.replace(SPECIALS, (c) => ENTITIES[c] ?? c);
}

/** A template's own text with its characters past Latin-1 as references (see escapeWide). */
export function templateTextOneByte(text: string): string {
  return text.replace(WIDE_CHARACTERS, wideToReference);
}
