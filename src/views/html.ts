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
const SPECIAL = /[&<>"']/;
const SPECIALS = /[&<>"']/g;

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
  return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ENTITIES[c] ?? c) : value;
}
