/**
 * The title guard. Ticket titles travel in email notifications, so they must
 * hold no PHI: the promise is that PHI never leaves the system. This refuses
 * titles that look like they do: Social Security, phone, record or client numbers, email addresses, dates that
 * could be birth dates, words such as DOB or MRN, and the agency's own number
 * formats (settings key `title_patterns`). A bare date is softer: it may be a
 * due date or a meeting, so the person may confirm it holds no client
 * information, and that confirmation is audited.
 *
 * Pure: the caller passes the agency's patterns and today's date.
 */

import { compileTitlePattern, PatternError, type TitlePattern } from './title-pattern.js';

export type TitleVerdict =
  | { kind: 'ok' }
  | { kind: 'refuse'; what: string; message: string }
  | { kind: 'confirm'; what: string; message: string };

export interface TitleGuardOptions {
  /** The agency's patterns (src/tickets/title-pattern.ts: matched case-insensitively, in linear time). */
  patterns?: readonly string[];
  /** Today: tells a date that could be a birth date from a recent one. */
  now: Date;
}

/** The checkbox a form shows for a soft match: "This title holds no client information". */
export const TITLE_CONFIRM_FIELD = 'title_no_phi';
/** The audit action recorded when someone confirms a soft match. */
export const TITLE_CONFIRMED_ACTION = 'title-confirmed';

const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';

interface Rule {
  what: string | ((match: RegExpExecArray) => string);
  pattern: RegExp;
}

/** Words that name PHI outright. */
const WORDS: Rule[] = [
  {
    pattern: /\b(?:d\.?o\.?b\.?|s\.?s\.?n\.?|m\.?r\.?n\.?)(?![a-z])/i,
    what: (m) => `the word “${m[0].replace(/\./g, '').toUpperCase()}”`,
  },
  {
    pattern: /\b(?:date\s+of\s+birth|birth\s*date|birthday)\b/i,
    what: 'the words “date of birth”',
  },
  { pattern: /\bsocial\s+security\b/i, what: 'the words “social security”' },
  { pattern: /\bmedical\s+record\b/i, what: 'the words “medical record”' },
  { pattern: /\b(?:client|patient|member|chart|case)\s*#/i, what: (m) => `“${m[0]}”` },
  {
    // "Client no longer gets statements" is fine; "client no. 4471" is not.
    pattern:
      /\b(?:client|patient|member|chart|medicaid|medicare|insurance)\s+(?:no\.?|num(?:ber)?|id)\s*[:#.]?\s*\d/i,
    what: 'a client or record number',
  },
];

/** Numbers and addresses that identify someone. Order matters: the first match names it. */
const NUMBERS: Rule[] = [
  { pattern: /\b\d{3}[-\s.]\d{2}[-\s.]\d{4}\b/, what: 'a Social Security number' },
  { pattern: /[^\s@]+@[^\s@]+\.[a-z]{2,}/i, what: 'an email address' },
  {
    pattern: /(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b/,
    what: 'a phone number',
  },
  { pattern: /\b\d{3}-\d{4}\b/, what: 'a phone number' },
  { pattern: /\b\d{9}\b/, what: 'a nine-digit number, which could be a Social Security number' },
  { pattern: /\b\d{10}\b/, what: 'a ten-digit number, which could be a phone number' },
  {
    pattern: /\b\d{7,}\b/,
    what: 'a long number, which could be a client, record or claim number',
  },
];

interface FoundDate {
  year: number | null;
  text: string;
}

function fullYear(raw: string, now: Date): number {
  if (raw.length === 4) return Number(raw);
  const yy = Number(raw);
  const century = Math.floor(now.getUTCFullYear() / 100) * 100;
  return yy <= now.getUTCFullYear() - century ? century + yy : century - 100 + yy;
}

const isMonth = (m: number) => m >= 1 && m <= 12;
const isDay = (d: number) => d >= 1 && d <= 31;

function findDates(title: string, now: Date): FoundDate[] {
  const found: FoundDate[] = [];
  for (const m of title.matchAll(/\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g)) {
    if (isMonth(Number(m[2])) && isDay(Number(m[3])))
      found.push({ year: Number(m[1]), text: m[0] });
  }
  for (const m of title.matchAll(/\b(\d{1,2})([/-])(\d{1,2})(?:\2(\d{4}|\d{2}))?\b/g)) {
    // "2024-03" or the tail of an ISO date are not month/day dates.
    if (m[2] === '-' && !m[4]) continue;
    const before = title.slice(0, m.index);
    if (/\d[-/]$/.test(before)) continue;
    // Either order (m/d or d/m): both parts must fit some calendar reading.
    const a = Number(m[1]);
    const b = Number(m[3]);
    if (!((isMonth(a) && isDay(b)) || (isDay(a) && isMonth(b)))) continue;
    found.push({ year: m[4] ? fullYear(m[4], now) : null, text: m[0] });
  }
  const named = new RegExp(
    `\\b(?:(?:${MONTHS})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s+(\\d{4}))?|(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?:${MONTHS})\\.?(?:,?\\s+(\\d{4}))?)\\b`,
    'gi',
  );
  for (const m of title.matchAll(named)) {
    const day = Number(m[1] ?? m[3]);
    if (!isDay(day)) continue;
    const year = m[2] ?? m[4];
    found.push({ year: year ? Number(year) : null, text: m[0] });
  }
  return found;
}

/** Compiled agency patterns by source; bounded, as the settings may change many times. */
const compiled = new Map<string, TitlePattern | null>();
const MAX_COMPILED = 100;
function agencyPattern(source: string): TitlePattern | null {
  let pattern = compiled.get(source);
  if (pattern === undefined) {
    try {
      pattern = compileTitlePattern(source);
    } catch {
      // Saved before the pattern language was restricted: Settings → Security says so.
      pattern = null;
    }
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(source, pattern);
  }
  return pattern;
}

/** Full-width digits, zero-width spaces and soft hyphens must not slip numbers past the guard. */
function normalise(title: string): string {
  return title.normalize('NFKC').replace(/[\u00ad\u200b-\u200d\u2060\ufeff]/g, '');
}

function refuse(what: string): TitleVerdict {
  return {
    kind: 'refuse',
    what,
    message: `The title seems to contain ${what}. Titles travel in email notifications, so they must not hold client information: move it to the Description and keep the title general, such as “Claim denied for a client”.`,
  };
}

function confirm(what: string): TitleVerdict {
  return {
    kind: 'confirm',
    what,
    message: `The title contains ${what}. If it is not client information (a due date, a meeting), tick “This title holds no client information”; if it is, move it to the Description.`,
  };
}

function describe(rule: Rule, match: RegExpExecArray): string {
  return typeof rule.what === 'string' ? rule.what : rule.what(match);
}

export function checkTitle(title: string, options: TitleGuardOptions): TitleVerdict {
  const text = normalise(title);
  for (const rule of [...WORDS, ...NUMBERS]) {
    const match = rule.pattern.exec(text);
    if (match) return refuse(describe(rule, match));
  }
  for (const source of options.patterns ?? []) {
    if (agencyPattern(source)?.test(text)) {
      return refuse('something in one of your agency’s client or record number formats');
    }
  }
  const dates = findDates(text, options.now);
  // A full date two or more years back could be someone's birth date; a recent
  // or year-less date is more likely a due date or a meeting.
  const thisYear = options.now.getUTCFullYear();
  const old = dates.find((d) => d.year !== null && d.year <= thisYear - 2);
  if (old) return refuse(`a date (${old.text}) that could be a birth date`);
  const first = dates[0];
  if (first) return confirm(`a date (${first.text})`);
  return { kind: 'ok' };
}

export type TitleDecision =
  | { kind: 'accept'; confirmed: { what: string; auditDetail: string } | null }
  | { kind: 'reject'; message: string; confirmable: boolean };

/**
 * What a form or the API does with a verdict: a refusal is final; a soft match
 * passes only when the person ticked TITLE_CONFIRM_FIELD, and then the caller
 * records `auditDetail` under TITLE_CONFIRMED_ACTION.
 */
export function decideTitle(verdict: TitleVerdict, confirmed: boolean): TitleDecision {
  if (verdict.kind === 'ok') return { kind: 'accept', confirmed: null };
  if (verdict.kind === 'refuse') {
    return { kind: 'reject', message: verdict.message, confirmable: false };
  }
  if (!confirmed) return { kind: 'reject', message: verdict.message, confirmable: true };
  return {
    kind: 'accept',
    confirmed: {
      what: verdict.what,
      auditDetail: `title held ${verdict.what.replace(/ \(.*\)$/, '')}; confirmed as no client information`,
    },
  };
}

const MAX_PATTERNS = 30;
const MAX_PATTERN_LENGTH = 200;
/** Titles no agency pattern may match: a pattern that does would refuse everything. */
const ORDINARY_TITLES = ['', 'Printer on the second floor is jammed', 'Cannot sign in to billing'];

/**
 * Checks the agency's patterns as typed in Settings, one per line. Blank lines
 * are dropped. Returns the patterns to store, or one message per bad line.
 */
export function validateTitlePatterns(text: string): { patterns: string[]; errors: string[] } {
  const patterns: string[] = [];
  const errors: string[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const where = `Line ${index + 1}`;
    if (line.length > MAX_PATTERN_LENGTH) {
      errors.push(`${where}: use at most ${MAX_PATTERN_LENGTH} characters.`);
      continue;
    }
    let pattern: TitlePattern;
    try {
      pattern = compileTitlePattern(line);
    } catch (error) {
      if (!(error instanceof PatternError)) throw error;
      errors.push(`${where}: not a valid pattern (${error.message}).`);
      continue;
    }
    const ordinary = ORDINARY_TITLES.find((t) => pattern.test(t));
    if (ordinary !== undefined) {
      errors.push(
        ordinary === ''
          ? `${where}: matches an empty title, so it would refuse every title.`
          : `${where}: matches an ordinary title such as “${ordinary}”.`,
      );
      continue;
    }
    patterns.push(line);
  }
  if (patterns.length > MAX_PATTERNS) errors.push(`Use at most ${MAX_PATTERNS} patterns.`);
  return { patterns, errors };
}
