import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import {
  checkMessage,
  createMailer,
  MailError,
  type MailMessage,
  transportOptions,
} from '../../src/mail/mailer.js';
import { headerOf, TestSmtpServer } from '../helpers/smtp.js';

const message: MailMessage = {
  to: 'bo@example.org',
  subject: '[hushdesk #7] Printer jammed',
  text: 'Ann Lee assigned ticket #7 to you.',
  html: '<p>Ann Lee assigned ticket #7 to you.</p>',
  messageId: '<outbox-7@help.agency.org>',
};

describe('transport options from SMTP_URL', () => {
  it('requires STARTTLS whenever credentials are given over smtp://', () => {
    const options = transportOptions('smtp://mail%40agency.org:p%40ss@mail.agency.org:587');
    expect(options).toMatchObject({
      host: 'mail.agency.org',
      port: 587,
      secure: false,
      requireTLS: true,
      auth: { user: 'mail@agency.org', pass: 'p@ss' },
    });
  });

  it('uses implicit TLS for smtps:// and plain relay without credentials', () => {
    expect(transportOptions('smtps://u:p@mail.agency.org')).toMatchObject({
      port: 465,
      secure: true,
      requireTLS: false,
    });
    const relay = transportOptions('smtp://relay.local:25');
    expect(relay).toMatchObject({ host: 'relay.local', port: 25, requireTLS: false });
    expect(relay.auth).toBeUndefined();
  });

  it('refuses URL options, which could turn TLS off', () => {
    expect(() => transportOptions('smtp://u:p@mail.agency.org?ignoreTLS=true')).toThrow(
      ConfigError,
    );
  });
});

describe('what the mailer refuses to send', () => {
  it('refuses anything but one plain address, a header with a line break, a bad Message-ID', () => {
    for (const to of ['a@x.org, b@y.org', 'Bo <bo@x.org>', 'bo@x.org\r\nBcc: c@y.org', 'nobody']) {
      expect(() => checkMessage({ ...message, to })).toThrow(MailError);
    }
    expect(() => checkMessage({ ...message, subject: 'a\r\nBcc: x@example.org' })).toThrow(
      /line break/,
    );
    expect(() => checkMessage({ ...message, messageId: 'outbox-7' })).toThrow(/Message-ID/);
    expect(() => checkMessage(message)).not.toThrow();
  });
});

describe('sending through a real SMTP server', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
  });
  afterAll(() => smtp.stop());
  beforeEach(() => {
    smtp.rejectWith = null;
    smtp.received.length = 0;
  });

  it('delivers to exactly the one recipient, with the stable Message-ID and From', async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, smtpFrom: 'Help desk <help@agency.org>' });
    await mailer?.send(message);
    mailer?.close();
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail?.envelopeTo).toEqual(['bo@example.org']);
    expect(mail?.envelopeFrom).toBe('help@agency.org');
    expect(headerOf(mail?.raw ?? '', 'message-id')).toBe('<outbox-7@help.agency.org>');
    expect(headerOf(mail?.raw ?? '', 'auto-submitted')).toBe('auto-generated');
    const parsed = await smtp.parse(mail as NonNullable<typeof mail>);
    expect(parsed.subject).toBe('[hushdesk #7] Printer jammed');
    expect(parsed.from?.value).toEqual([{ name: 'Help desk', address: 'help@agency.org' }]);
  });

  it('calls a 5xx answer permanent and a 4xx answer temporary', async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, smtpFrom: 'help@agency.org' });
    smtp.rejectWith = { code: 550, message: 'Mailbox unavailable' };
    const permanent = await mailer?.send(message).catch((e: unknown) => e);
    expect(permanent).toBeInstanceOf(MailError);
    expect(permanent).toMatchObject({ permanent: true, responseCode: 550 });
    expect((permanent as MailError).message).toContain('Mailbox unavailable');

    smtp.rejectWith = { code: 451, message: 'Try again later' };
    const temporary = await mailer?.send(message).catch((e: unknown) => e);
    expect(temporary).toMatchObject({ permanent: false, responseCode: 451 });
    mailer?.close();
  });

  it('calls an unreachable server a temporary connection failure', async () => {
    const down = await TestSmtpServer.start();
    await down.stop();
    const mailer = createMailer({ smtpUrl: down.url, smtpFrom: 'help@agency.org' });
    const error = await mailer?.send(message).catch((e: unknown) => e);
    expect(error).toMatchObject({ permanent: false, connectionFailed: true });
    mailer?.close();
  });

  it('never sends credentials to a server that does not offer STARTTLS', async () => {
    const url = `smtp://hushdesk:secret@127.0.0.1:${smtp.port}`;
    const mailer = createMailer({ smtpUrl: url, smtpFrom: 'help@agency.org' });
    const error = await mailer?.send(message).catch((e: unknown) => e);
    mailer?.close();
    expect(error).toBeInstanceOf(MailError);
    expect(smtp.authAttempts).toEqual([]);
    expect(smtp.received).toHaveLength(0);
  });

  it('has no transport without SMTP_URL: the outbox keeps mail locally', () => {
    expect(createMailer({ smtpUrl: null, smtpFrom: 'help@agency.org' })).toBeNull();
  });
});
