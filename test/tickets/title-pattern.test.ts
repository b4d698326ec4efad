import { describe, expect, it } from 'vitest';
import { checkTitle, validateTitlePatterns } from '../../src/tickets/title-guard.js';
import { compileTitlePattern, PatternError } from '../../src/tickets/title-pattern.js';

const matches = (pattern: string, text: string) => compileTitlePattern(pattern).test(text);

describe('the agency pattern language', () => {
  it.each([
    ['\\bC-\\d{4,6}\\b', 'Statement for C-4471 wrong', true],
    ['\\bC-\\d{4,6}\\b', 'Statement for c-4471 wrong', true],
    ['\\bC-\\d{4,6}\\b', 'Statement for C-447 wrong', false],
    ['\\bC-\\d{4,6}\\b', 'xC-4471', false],
    ['\\bC-\\d{4,6}\\b', 'C-1234567', false],
    ['acct[- ]?\\d+', 'ACCT 77 balance', true],
    ['acct[- ]?\\d+', 'acct: 77', false],
    ['^abc$', 'ABC', true],
    ['^abc$', 'xabc', false],
    ['a|b', 'zzb', true],
    ['(?:ab)+c', 'ababc', true],
    ['(ab){2}c', 'abc', false],
    ['[^0-9]x', '1x', false],
    ['[a-f]{3}', 'XBCd', true],
    ['\\.', 'a.b', true],
    ['\\.', 'ab', false],
    ['x.*y', 'x then y', true],
    ['\\s\\S\\w\\W\\D', ' a_!x', true],
    ['\\Bb', 'ab', true],
    ['\\Bb', ' b', false],
    ['{x}', 'a {x} b', true],
    ['MRN-\\d{2,}', 'mrn-12', true],
    ['a+?b', 'aaab', true],
  ])('%s against %j is %s', (pattern, text, expected) => {
    expect(matches(pattern, text)).toBe(expected);
  });

  it.each([
    ['(?=x)', /lookahead/],
    ['(?<!x)y', /lookahead, lookbehind/],
    ['(a)\\1', /back-references/],
    ['\\p{L}', /not supported/],
    ['a{51}', /up to 50/],
    ['a{3,2}', /backwards/],
    ['(a{50}){50}', /repeats too much/],
    ['(ab', /without its “\)”/],
    ['ab)', /without its “\(”/],
    ['[ab', /without its “]”/],
    ['*a', /nothing to repeat/],
    ['\\b+', /nothing to repeat/],
    ['[z-a]', /backwards/],
  ])('refuses %s, saying why', (pattern, message) => {
    expect(() => compileTitlePattern(pattern)).toThrow(PatternError);
    expect(() => compileTitlePattern(pattern)).toThrow(message);
  });
});

/** Patterns that make a backtracking engine take exponential time. */
const CATASTROPHIC = [
  '(a|a)+b',
  '(a+)+b',
  '(a*)*b',
  '(a|aa)+b',
  '(a|a?)+b',
  '(.*a){20}x',
  '^(a?){25}a{25}$',
  '(\\w+\\s?)+$',
  '(\\d+)+x',
  '^(([a-z])+.)+[A-Z]([a-z])+$',
  '(x+x+)+y',
  '(.*){1,32000}[bc]',
];
const TITLES = [
  `${'a'.repeat(149)}c`,
  `${'a '.repeat(74)}!!`,
  `${'1'.repeat(149)}!`,
  `${'x'.repeat(150)}`,
];

/**
 * Milliseconds of CPU a call takes. The machine the tests run on is shared, so
 * wall time would measure the neighbours; CPU time measures the check.
 */
function cpuMs(run: () => void): number {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

describe('catastrophic patterns', () => {
  it.each(CATASTROPHIC.map((p) => [p]))(
    '%s is refused, or checks a 150-character title within 50 ms',
    (pattern) => {
      const validated = validateTitlePatterns(pattern);
      if (validated.errors.length > 0) {
        expect(validated.patterns).toEqual([]);
        return;
      }
      for (const title of TITLES) {
        expect(title.length).toBe(150);
        const ms = cpuMs(() =>
          checkTitle(title, { now: new Date('2026-11-27T15:00:00Z'), patterns: [pattern] }),
        );
        expect(ms, `${pattern} on ${title.slice(0, 6)}…`).toBeLessThan(50);
      }
    },
  );

  it('thirty of the worst at once still check a title within 50 ms', () => {
    const patterns = Array.from({ length: 30 }, (_, i) => `(a|a)+b${i}|(\\w+\\s?)+$${i}`);
    expect(validateTitlePatterns(patterns.join('\n')).errors).toEqual([]);
    checkTitle('warm up', { now: new Date(), patterns });
    expect(
      cpuMs(() => checkTitle(`${'a '.repeat(74)}!!`, { now: new Date(), patterns })),
    ).toBeLessThan(50);
  });
});
