import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../src/root.js';
import { createEta } from '../../src/views/eta.js';
import { escapeHtml, rendered } from '../../src/views/html.js';

describe('escapeHtml', () => {
  it('escapes the five characters HTML gives meaning to, wherever they are', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(escapeHtml('&&')).toBe('&amp;&amp;');
  });

  it('returns plain text, numbers and nothing as they are', () => {
    expect(escapeHtml('Printer jams in billing')).toBe('Printer jams in billing');
    expect(escapeHtml(42)).toBe('42');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(false)).toBe('false');
  });

  it('turns characters past Latin-1 into numeric references, one a character, stored one byte each', () => {
    expect(escapeHtml('Nguyễn’s <b> — 🙂')).toBe(
      'Nguy&#7877;n&#8217;s &lt;b&gt; &#8212; &#128578;',
    );
    // Latin-1 needs no reference: é and ß stay as they are.
    expect(escapeHtml('Café Straße')).toBe('Café Straße');
    expect(escapeHtml('Łucja')).not.toMatch(/[\u0100-\u{10ffff}]/u);
  });

  it('escapes what an object says of itself, and passes our own rendered partials through', () => {
    expect(escapeHtml({ toString: () => '<b>' })).toBe('&lt;b&gt;');
    expect(escapeHtml(rendered('<tr></tr>'))).toBe('<tr></tr>');
  });
});

describe('createEta', () => {
  it('works out where a template is once per name, and refuses a way out of views/ every time', () => {
    const eta = createEta();
    eta.configure({ views: join(ROOT, 'views') });
    const from = { filepath: join(ROOT, 'views', 'tickets', '_list.eta') };
    const row = join(ROOT, 'views', 'tickets', '_row.eta');
    expect(eta.resolvePath('/tickets/_row', from)).toBe(row);
    expect(eta.resolvePath('/tickets/_row', from)).toBe(row);
    expect(eta.resolvePath('_row', from)).toBe(row);
    for (let i = 0; i < 2; i++) expect(() => eta.resolvePath('../../package.json', from)).toThrow();
  });

  it('sends its own text past Latin-1 as references too, and leaves code in tags alone', () => {
    const eta = createEta();
    eta.loadTemplate('@quote', '<p>The agency’s “<%= it.q %>” <%= it.q ? "—" : "" %></p>');
    expect(eta.render('@quote', { q: 'Łódź' })).toBe(
      '<p>The agency&#8217;s &#8220;&#321;ód&#378;&#8221; &#8212;</p>',
    );
  });

  it('includes a partial through <%= %> unescaped, and escapes the values inside it', () => {
    const eta = createEta();
    eta.loadTemplate('@cell', '<td><%= it.v %></td>');
    eta.loadTemplate('@row', '<tr><%= partial("@cell", { v: it.v }) %></tr>');
    expect(eta.render('@row', { v: '<b>' })).toBe('<tr><td>&lt;b&gt;</td></tr>');
  });

  it('hands a partial only what its caller passes, not the parent’s whole it', () => {
    const eta = createEta();
    eta.loadTemplate('@cell', '<td><%= it.v %>|<%= it.secret ?? "none" %></td>');
    eta.loadTemplate('@row', '<tr><%= partial("@cell", { v: it.v }) %></tr>');
    expect(eta.render('@row', { v: 'a', secret: 'parent' })).toBe('<tr><td>a|none</td></tr>');
  });
});
