import type { NodemailerError, SMTPTransportOptions, Transporter } from 'nodemailer';
import { type Config, ConfigError } from '../config.js';

/** One message as the outbox holds it; the mailer adds From and the envelope. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** `<outbox-42@help.agency.org>`, stable for the outbox row. */
  messageId: string;
}

/**
 * A failed send. `permanent` means the server refused the message for good (a 5xx
 * reply, or a message we would never send): retrying the same message cannot help.
 */
export class MailError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly responseCode: number | null = null,
    /** The connection failed, not this message: the other due messages would fail too. */
    readonly connectionFailed = false,
  ) {
    super(message);
    this.name = 'MailError';
  }
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters must never reach a header
const CONTROL = /[\u0000-\u001f\u007f]/;
/** One bare address: no display name, no list, nothing an address parser could split. */
const ADDRESS = /^[^\s@,;:<>()[\]"\\]+@[^\s@,;:<>()[\]"\\]+$/;
const MESSAGE_ID = /^<[^\s<>@]+@[^\s<>@]+>$/;

/** Refuses what must never be sent, whoever composed it. */
export function checkMessage(message: MailMessage): void {
  if (!ADDRESS.test(message.to))
    throw new MailError('the recipient is not one plain address', true);
  if (CONTROL.test(message.subject)) {
    throw new MailError('the subject holds a line break or control character', true);
  }
  if (!MESSAGE_ID.test(message.messageId)) throw new MailError('the Message-ID is malformed', true);
}

/**
 * Transport options from SMTP_URL, built field by field so that nothing in the URL
 * (such as `?ignoreTLS=true`) can turn off what we require: STARTTLS whenever
 * credentials are sent over smtp:// (HIPAA 164.312(e): credentials and mail in transit).
 */
export function transportOptions(smtpUrl: string): SMTPTransportOptions {
  const url = new URL(smtpUrl);
  if (url.search) {
    throw new ConfigError(
      'SMTP_URL',
      'accepts smtp://user:pass@host:port or smtps://…, no ?options',
    );
  }
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  const auth = user || pass ? { user, pass } : undefined;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTLS: !secure && auth !== undefined,
    ...(auth ? { auth } : {}),
    // A worker waiting on a silent server holds no transaction, but should not wait forever.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  };
}

/** The address part of SMTP_FROM, as the envelope carries it. */
export function envelopeAddress(from: string): string {
  return /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
}

function toMailError(error: unknown): MailError {
  const e = error as NodemailerError;
  const message = (e?.message ?? String(error)).replace(/\s+/g, ' ').slice(0, 500);
  const code = typeof e?.responseCode === 'number' ? e.responseCode : null;
  const permanent = e?.permanent ?? (code !== null && code >= 500 && code < 600 && code !== 503);
  const connectionFailed =
    code === null && ['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS'].includes(e?.code ?? '');
  return new MailError(message, permanent, code, connectionFailed);
}

/**
 * The one mailer: SMTP from SMTP_URL, or null when there is none, in which case
 * the outbox keeps every message as delivered locally.
 */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'smtpFrom'>): Mailer | null {
  if (!config.smtpUrl) return null;
  const options = transportOptions(config.smtpUrl);
  const from = config.smtpFrom;
  // nodemailer is loaded with the first message, not at start-up: it is a
  // tenth of a second of module loading that an idle server never needs.
  let transport: Promise<Transporter> | null = null;
  const open = () => {
    transport ??= import('nodemailer').then((m) => m.default.createTransport(options));
    return transport;
  };
  return {
    async send(message) {
      checkMessage(message);
      const smtp = await open();
      try {
        await smtp.sendMail({
          from,
          to: message.to,
          // The envelope is given, not derived from headers: exactly one recipient.
          envelope: { from: envelopeAddress(from), to: [message.to] },
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: message.messageId,
          // RFC 3834: tells auto-responders not to answer.
          headers: { 'Auto-Submitted': 'auto-generated' },
        });
      } catch (error) {
        throw toMailError(error);
      }
    },
    close() {
      void transport?.then((smtp) => smtp.close());
    },
  };
}
