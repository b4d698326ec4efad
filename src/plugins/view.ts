import { join } from 'node:path';
import view from '@fastify/view';
import { Eta } from 'eta';
import fp from 'fastify-plugin';
import { ROOT } from '../root.js';

/** Output of one of our own templates: already escaped, so `<%= %>` passes it through. */
interface Rendered {
  __rendered: string;
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

/**
 * Eta templates from views/, escaped by default; compiled once and cached.
 * `partial(name, data)` includes another template through `<%= %>`, so raw
 * output (`<%~`) stays reserved for the layout's body slot.
 */
export function createEta(): Eta {
  return new Eta({
    autoEscape: true,
    escapeFunction: escapeHtml,
    functionHeader: 'const partial = (name, data) => ({ __rendered: include(name, data) });',
  });
}

export default fp(async (app) => {
  await app.register(view, {
    engine: { eta: createEta() },
    root: join(ROOT, 'views'),
    viewExt: 'eta',
    production: true,
  });
});
