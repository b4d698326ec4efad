import { Eta } from 'eta';
import { escapeHtml, templateTextOneByte } from './html.js';

/** What Eta's parser hands a plugin: template text, or a tag. */
type AstNode = string | { t: string; val: string };

/**
 * Eta templates from views/, escaped by default; compiled once and cached.
 * `partial(name, data)` includes another template through `<%= %>`, so raw
 * output (`<%~`) stays reserved for the layout's body slot. Unlike Eta's
 * `include`, it does not hand the parent's whole `it` down: a partial sees
 * only what its caller passes, so what it depends on is written at the call.
 *
 * A template's own text keeps its characters past Latin-1 (’ “ ” — ←) as
 * numeric references, as escapeHtml does with values, so a page is stored one
 * byte a character (see escapeWide in ./html.ts). Our templates hold no
 * inline script or style, where a reference would not be read as one.
 */
export function createEta(): Eta {
  const eta = new Eta({
    autoEscape: true,
    escapeFunction: escapeHtml,
    plugins: [
      {
        processAST: (buffer: AstNode[]) =>
          buffer.map((node) => (typeof node === 'string' ? templateTextOneByte(node) : node)),
      },
    ],
    // Compiled templates cannot import: this is what `rendered()` in ./html.ts makes.
    functionHeader:
      'const partial = (name, data) => ({ __rendered: this.render(name, data ?? {}, options) });',
  });
  rememberResolvedPaths(eta);
  return eta;
}

/**
 * Eta resolves a template's path on every render (a JSON key, path.join and
 * path.relative), a list page's row partials 150 times a request; what a name
 * resolves to from a given template never changes, so it is worked out once.
 * A name that fails to resolve is not kept: it fails again, as Eta would.
 */
function rememberResolvedPaths(eta: Eta): void {
  const resolve = eta.resolvePath;
  const resolved = new Map<string, string>();
  eta.resolvePath = function (template, options) {
    const key = `${this.config.views}\0${options?.filepath ?? ''}\0${template}`;
    let path = resolved.get(key);
    if (path === undefined) {
      path = resolve.call(this, template, options);
      resolved.set(key, path);
    }
    return path;
  };
}
