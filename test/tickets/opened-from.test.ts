import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  cleanHost,
  cleanPath,
  describeOpenedFrom,
  KEPT_SEGMENT,
  MAX_PATH_INPUT,
  readOpenedFrom,
} from '../../src/tickets/opened-from.js';
import { HELP_BUTTON_FILE, helpBookmarklet } from '../../src/web/help/button-asset.js';

describe('cleaning an application page path', () => {
  it.each([
    ['/clients/4411/notes?dos=11-02', '/clients/:id/notes'],
    ['/clients/4411/notes#dos-11-02', '/clients/:id/notes'],
    ['/visits/2026-11-02/summary', '/visits/:id/summary'],
    ['/clients/3f2b1c9e-8a4d-4e6f-9b1a-2c3d4e5f6a7b/chart', '/clients/:id/chart'],
    ['/claims/A1B2C3D4/edit', '/claims/:id/edit'],
    // A long token of letters only is still a token.
    ['/s/kQzPwLmXvTrEwQaSdFgHjKlZxCvBnM/view', '/s/:id/view'],
    ['/billing/claim-batches/open', '/billing/claim-batches/open'],
    ['/Scheduling/WeekView', '/Scheduling/WeekView'],
    // Odd encodings: percent-escapes, encoded slashes, spaces, non-ASCII, matrix parameters.
    ['/clients/%34%34%31%31/notes', '/clients/:id/notes'],
    ['/clients/smith%2Fjohn/notes', '/clients/:id/notes'],
    ['/clients/john%20smith', '/clients/:id'],
    ['/clients/%E0%A4%A/notes', '/clients/:id/notes'],
    ['/clients/café', '/clients/:id'],
    ['/chart;jsessionid=ABCDEF/notes', '/:id/notes'],
    ['/mail/ann@example.org', '/mail/:id'],
    ['//clients//notes/', '/clients/notes'],
    ['/', '/'],
    ['/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o', '/a/b/c/d/e/f/g/h/i/j/k/l'],
  ])('%s → %s', (input, expected) => {
    expect(cleanPath(input)).toBe(expected);
  });

  it('keeps a cleaned path as it is: cleaning twice changes nothing', () => {
    expect(cleanPath('/clients/:id/notes')).toBe('/clients/:id/notes');
  });

  it('refuses what is not a path, and overlong input', () => {
    for (const input of ['clients/1', 'https://ehr.example/clients', '', 42, null, ['/a']]) {
      expect(cleanPath(input), String(input)).toBeNull();
    }
    expect(cleanPath(`/${'a/'.repeat(MAX_PATH_INPUT)}`)).toBeNull();
  });
});

describe('checking an application host', () => {
  it.each([
    ['ehr.example', 'ehr.example'],
    ['EHR.Example', 'ehr.example'],
    ['billing.agency.org:8443', 'billing.agency.org:8443'],
    ['127.0.0.1:5173', '127.0.0.1:5173'],
    ['[::1]:8080', '[::1]:8080'],
  ])('accepts %s', (input, expected) => {
    expect(cleanHost(input)).toBe(expected);
  });

  it.each([
    'https://ehr.example',
    'ehr.example/clients',
    'ehr example',
    'ehr.example:0',
    'ehr.example:70000',
    'ehr.example:08',
    '-ehr.example',
    'user@ehr.example',
    `${'a'.repeat(64)}.example`,
    '',
  ])('refuses %s', (input) => {
    expect(cleanHost(input)).toBeNull();
  });
});

describe('reading Opened from as the form sends it back', () => {
  it('keeps a hushdesk page path without its query string', () => {
    expect(readOpenedFrom('/tickets?q=secret', undefined)).toEqual({
      host: null,
      path: '/tickets',
    });
    expect(readOpenedFrom('https://evil.example/x', undefined)).toEqual({ host: null, path: '/' });
  });

  it('cleans another application’s path again, whatever the browser sent', () => {
    expect(readOpenedFrom('/clients/4411/notes?dos=11-02', 'EHR.example')).toEqual({
      host: 'ehr.example',
      path: '/clients/:id/notes',
    });
    // A host that does not pass is dropped; its path is still cleaned.
    expect(readOpenedFrom('/clients/4411', 'not a host')).toEqual({
      host: null,
      path: '/clients/:id',
    });
  });
});

describe('the snippet and the bookmarklet clean as the server does', () => {
  it('share the kept-segment expression', () => {
    const snippet = readFileSync(HELP_BUTTON_FILE, 'utf8');
    expect(snippet).toContain(`const KEPT_SEGMENT = ${KEPT_SEGMENT.toString()};`);
    expect(helpBookmarklet('https://help.agency.org')).toContain(
      `var k=${KEPT_SEGMENT.toString()}`,
    );
  });

  it('the bookmarklet only reads location and only calls window.open', () => {
    const code = helpBookmarklet('https://help.agency.org');
    expect(code.startsWith('javascript:(function(){')).toBe(true);
    expect(code).not.toContain('%');
    expect(code.length).toBeLessThan(500);
    expect(code.match(/\b(document|fetch|XMLHttpRequest|cookie|innerHTML|eval)\b/)).toBeNull();
    // Runs it against a fake location and window.open: the URL it opens is the cleaned one.
    const opened: string[] = [];
    const run = new Function('location', 'window', code.slice('javascript:'.length));
    run(
      { host: 'ehr.example', pathname: '/clients/4411/notes', search: '?dos=11-02' },
      { open: (url: string) => opened.push(url) },
    );
    expect(opened).toEqual([
      'https://help.agency.org/help/new?host=ehr.example&path=%2Fclients%2F%3Aid%2Fnotes',
    ]);
  });
});

describe('Opened from in words', () => {
  it('names hushdesk pages as their headings do, not by their paths', () => {
    const named = (path: string | null) => describeOpenedFrom({ host: null, name: null, path });
    expect(named('/')).toBe('My tickets');
    expect(named('/tickets')).toBe('All tickets');
    expect(named('/tickets/42')).toBe('Ticket #42');
    expect(named('/staff/7/deactivate')).toBe('Staff');
    expect(named('/settings/system')).toBe('Settings');
    expect(named('/audit')).toBe('Audit log');
    expect(named(null)).toBe('Not recorded');
    // A path hushdesk does not know is shown as it came.
    expect(named('/billing/claims')).toBe('/billing/claims');
  });

  it('names another application by its name and host, with the cleaned path', () => {
    const host = 'ehr.example';
    const path = '/clients/:id/notes';
    expect(describeOpenedFrom({ host, name: null, path })).toBe('ehr.example /clients/:id/notes');
    expect(describeOpenedFrom({ host, name: 'Clinical record', path })).toBe(
      'Clinical record (ehr.example) /clients/:id/notes',
    );
  });
});
