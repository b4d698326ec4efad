import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  /** The message exactly as it crossed the wire, headers and all. */
  raw: string;
  envelopeFrom: string;
  envelopeTo: string[];
}

export interface Rejection {
  code: number;
  message: string;
}

/**
 * A real SMTP server on a random loopback port, for tests about mail. Plain text
 * (no STARTTLS) unless told otherwise; it can refuse messages with a reply code,
 * hold a message at RCPT TO, and stop and come back on the same port.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** Set to answer DATA with this reply (550: permanent; 451: try again later). */
  rejectWith: Rejection | null = null;
  /** Credentials the server was offered, to prove none cross an unencrypted line. */
  readonly authAttempts: string[] = [];
  port = 0;
  /** Milliseconds each message waits before its answer, as a slow mail server's would. */
  delayMs = 0;
  private server: SMTPServer | null = null;
  private hold: { reached: () => void; released: Promise<void> } | null = null;

  private constructor(private readonly extra: Partial<SMTPServerOptions>) {}

  static async start(extra: Partial<SMTPServerOptions> = {}): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer(extra);
    await smtp.listen(0);
    return smtp;
  }

  /** SMTP_URL for the app. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.server !== null;
  }

  /** Stops listening: the app now finds nothing on the port. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.listen(this.port);
  }

  /**
   * Makes the next message wait at RCPT TO until `release()`. `reached` resolves
   * once the client is waiting, so a test can act while a send is in flight.
   */
  holdNext(): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.hold = { reached, released };
    return { reached: reachedPromise, release };
  }

  parse(mail: ReceivedMail): Promise<ParsedMail> {
    return simpleParser(mail.raw);
  }

  /** Runs an outbox pass and takes what arrived since the last call, parsed. */
  async deliveredBy(outbox: { runOnce(): Promise<unknown> }) {
    await outbox.runOnce();
    const arrived = this.received.splice(0);
    return Promise.all(
      arrived.map(async (m) => ({ to: m.envelopeTo, raw: m.raw, mail: await simpleParser(m.raw) })),
    );
  }

  /** Messages that arrived with this Message-ID. */
  withMessageId(messageId: string): ReceivedMail[] {
    return this.received.filter((m) => headerOf(m.raw, 'message-id') === messageId);
  }

  private async listen(port: number): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      ...this.extra,
      onAuth: (auth, _session, callback) => {
        this.authAttempts.push(auth.username ?? '');
        callback(null, { user: auth.username });
      },
      onRcptTo: (_address, _session, callback) => {
        const hold = this.hold;
        if (!hold) return callback();
        this.hold = null;
        hold.reached();
        void hold.released.then(() => callback());
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (this.rejectWith) {
            const error = new Error(this.rejectWith.message) as Error & { responseCode: number };
            error.responseCode = this.rejectWith.code;
            return callback(error);
          }
          const accept = () => {
            this.received.push({
              raw: Buffer.concat(chunks).toString('utf8'),
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            });
            callback();
          };
          if (this.delayMs > 0) setTimeout(accept, this.delayMs);
          else accept();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }
}

/** The unfolded value of one header in a raw message (the first one). */
export function headerOf(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded
    .split(/\r?\n/)
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** Header names in a raw message, in order, lower-cased. */
export function headerNames(raw: string): string[] {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  return head
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
}
