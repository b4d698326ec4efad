import { Eta } from 'eta';
import { escapeHtml } from './html.js';

/**
 * Eta templates from views/, escaped by default; compiled once and cached.
 * `partial(name, data)` includes another template through `<%= %>`, so raw
 * output (`<%~`) stays reserved for the layout's body slot. Unlike Eta's
 * `include`, it does not hand the parent's whole `it` down: a partial sees
 * only what its caller passes, so what it depends on is written at the call.
 */
export function createEta(): Eta {
  return new Eta({
    autoEscape: true,
    escapeFunction: escapeHtml,
    // Compiled templates cannot import: this is what `rendered()` in ./html.ts makes.
    functionHeader:
      'const partial = (name, data) => ({ __rendered: this.render(name, data ?? {}, options) });',
  });
}
