import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../src/root.js';
import { checkTitle, decideTitle, validateTitlePatterns } from '../../src/tickets/title-guard.js';
import { createEta } from '../../src/views/eta.js';

const now = new Date('2026-11-27T15:00:00Z');
const check = (title: string, patterns: string[] = []) => checkTitle(title, { now, patterns });

describe('checkTitle refuses titles that look like PHI', () => {
  it.each([
    ['Billing question for 123-45-6789', 'a Social Security number'],
    ['SSN 123 45 6789 rejected', 'the word “SSN”'],
    ['Claim for 123456789 denied', 'a nine-digit number, which could be a Social Security number'],
    ['Call back (555) 123-4567', 'a phone number'],
    ['Call back 555-123-4567 today', 'a phone number'],
    ['Call back +1 555.123.4567', 'a phone number'],
    ['Call 123-4567 about the fax', 'a phone number'],
    ['Fax to 5551234567 failed', 'a ten-digit number, which could be a phone number'],
    ['Email jane.doe@example.org bounced', 'an email address'],
    ['Claim 20231187 rejected', 'a long number, which could be a client, record or claim number'],
    ['Update DOB in chart', 'the word “DOB”'],
    ['Fix d.o.b. on intake', 'the word “DOB”'],
    ['MRN lookup is slow', 'the word “MRN”'],
    ['Wrong date of birth printed', 'the words “date of birth”'],
    ['Social security field missing', 'the words “social security”'],
    ['Medical record will not open', 'the words “medical record”'],
    ['Statement for client # 4471', '“client #”'],
    ['Statement for Client#4471', '“Client#”'],
    ['Client no. 4471 statement', 'a client or record number'],
    ['Patient ID 88 wrong', 'a client or record number'],
    ['Intake for 03/14/1984', 'a date (03/14/1984) that could be a birth date'],
    ['Intake for 3-14-84', 'a date (3-14-84) that could be a birth date'],
    ['Born 1984-03-14, wrong age shown', 'a date (1984-03-14) that could be a birth date'],
    ['Visit March 14, 1984 missing', 'a date (March 14, 1984) that could be a birth date'],
    ['Note from 14th of March 1990', 'a date (14th of March 1990) that could be a birth date'],
  ])('%s', (title, what) => {
    const verdict = check(title);
    expect(verdict).toMatchObject({ kind: 'refuse', what });
    expect(verdict.kind !== 'ok' && verdict.message).toMatch(
      /seems to contain .*move it to the Description/,
    );
  });

  it('is not fooled by full-width digits or zero-width spaces', () => {
    expect(check('SSN-free: １２３-４５-６７８９')).toMatchObject({ kind: 'refuse' });
    expect(check('Call 555\u200b-123-4567')).toMatchObject({
      kind: 'refuse',
      what: 'a phone number',
    });
  });

  it("refuses the agency's own formats", () => {
    const patterns = ['\\bC-\\d{4,6}\\b', 'acct[- ]?\\d+'];
    expect(check('Statement for C-4471 wrong', patterns)).toMatchObject({
      kind: 'refuse',
      what: 'something in one of your agency’s client or record number formats',
    });
    expect(check('ACCT 77 balance', patterns)).toMatchObject({ kind: 'refuse' });
    expect(check('Statement for C-4471 wrong')).toEqual({ kind: 'ok' });
  });
});

describe('checkTitle asks to confirm a bare date', () => {
  it.each([
    ['Training on 12/3', 'a date (12/3)'],
    ['Staff meeting March 3', 'a date (March 3)'],
    ['Report due 2026-12-01', 'a date (2026-12-01)'],
    ['Payroll closed 11/20/2025', 'a date (11/20/2025)'],
  ])('%s', (title, what) => {
    const verdict = check(title);
    expect(verdict).toMatchObject({ kind: 'confirm', what });
    expect(verdict.kind !== 'ok' && verdict.message).toMatch(
      /tick “This title holds no client information”/,
    );
  });
});

describe('checkTitle lets ordinary titles through', () => {
  it.each([
    'Printer on the second floor is jammed',
    'Cannot sign in to billing',
    'Client no longer receives statements',
    'Scheduler shows the wrong room',
    'Error 404 on the intake page',
    'Windows update 24H2 broke the scanner',
    'Dobson Street office has no internet',
    'Need 2 new monitors for room 3-2',
    'Version 2.14.3 of the EHR is slow',
  ])('%s', (title) => {
    expect(check(title)).toEqual({ kind: 'ok' });
  });
});

describe('decideTitle', () => {
  it('accepts ok titles, rejects refusals outright, and accepts a soft match only when confirmed', () => {
    expect(decideTitle(check('Printer jammed'), false)).toEqual({
      kind: 'accept',
      confirmed: null,
    });
    expect(decideTitle(check('DOB wrong'), true)).toMatchObject({
      kind: 'reject',
      confirmable: false,
    });
    expect(decideTitle(check('Training on 12/3'), false)).toMatchObject({
      kind: 'reject',
      confirmable: true,
    });
    expect(decideTitle(check('Training on 12/3'), true)).toEqual({
      kind: 'accept',
      confirmed: {
        what: 'a date (12/3)',
        // The audit row names the kind of match, never the text.
        auditDetail: 'title held a date; confirmed as no client information',
      },
    });
  });
});

describe('validateTitlePatterns', () => {
  it('keeps good patterns, one per line, dropping blank lines', () => {
    expect(validateTitlePatterns('\\bC-\\d{4,6}\\b\r\n\n  acct\\d+  \n')).toEqual({
      patterns: ['\\bC-\\d{4,6}\\b', 'acct\\d+'],
      errors: [],
    });
  });

  it('names each bad line and why', () => {
    const { patterns, errors } = validateTitlePatterns(
      ['C-(\\d+', '(?=x)y', '.*', 'printer', 'ok\\d{5}', `x${'a'.repeat(200)}`, '([a-z]*)*'].join(
        '\n',
      ),
    );
    expect(patterns).toEqual(['ok\\d{5}']);
    expect(errors).toEqual([
      expect.stringMatching(/^Line 1: not a valid pattern/),
      'Line 2: not a valid pattern (lookahead, lookbehind and named groups are not supported; use ( ) or (?: )).',
      'Line 3: matches an empty title, so it would refuse every title.',
      'Line 4: matches an ordinary title such as “Printer on the second floor is jammed”.',
      'Line 6: use at most 200 characters.',
      'Line 7: matches an empty title, so it would refuse every title.',
    ]);
  });
});

describe('views/partials/title-guard.eta', () => {
  const eta = createEta();
  eta.configure({ views: join(ROOT, 'views') });
  /** As _fields.eta uses it: a rejection's message is the title's field error. */
  const render = (title: string, confirmed = false, id = 'title') => {
    const decision = decideTitle(check(title), confirmed);
    const error = decision.kind === 'reject' ? decision.message : undefined;
    return eta.render('/partials/title-guard', { id, error, decision });
  };

  it('shows the message, and the confirm box only for a soft match', () => {
    const refused = render('Call 555-123-4567');
    expect(refused).toContain('id="title-error"');
    expect(refused).toContain('a phone number');
    expect(refused).not.toContain('type="checkbox"');
    const soft = render('Training on 12/3');
    expect(soft).toContain('name="title_no_phi" value="yes" >');
    expect(soft).toContain('This title holds no client information');
    expect(render('Printer jammed').trim()).toBe('');
  });

  it('keeps a ticked box ticked, without a message, and follows the field’s id', () => {
    const ticked = render('Training on 12/3', true, 'new-title');
    expect(ticked).not.toContain('field-error');
    expect(ticked).toContain('id="new-title_no_phi" name="title_no_phi" value="yes" checked>');
    expect(render('Call 555-123-4567', false, 'new-title')).toContain('id="new-title-error"');
  });
});
