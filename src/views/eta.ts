import { Eta } from 'eta';
import { escapeHtml } from './html.js';

/**
 * Eta templates from views/, escaped by default; compiled once and cached.
 * `partial(name, data)` includes another template through `<%= %>`, so raw
 * output (`<%~`) stays reserved for the layout's body slot.
 */
export function createEta(): Eta {
  return new Eta({
    autoEscape: true,
    escapeFunction: escapeHtml,
    // Compiled templates cannot import: this is what `rendered()` in ./html.ts makes.
    functionHeader: 'const partial = (name, data) => ({ __rendered: include(name, data) });',
  });
}
