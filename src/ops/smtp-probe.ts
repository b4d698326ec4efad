import { isIP, connect as netConnect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import type { SMTPTransportOptions } from 'nodemailer';
import { envelopeAddress } from '../mail/mailer.js';

/**
 * One SMTP conversation that goes as far as a real delivery would before the
 * message: greeting, EHLO, STARTTLS (required when credentials are sent, taken
 * when offered, as the mailer does), sign-in, `MAIL FROM:<sender>`, then RSET and
 * QUIT. No recipient is named and no message is sent. nodemailer's verify() stops
 * after the sign-in, and a server that refuses the sender (a relay that only lets
 * an account send as itself) fails every notification all the same.
 */

export class SmtpProbeError extends Error {
  constructor(
    /** The step that failed, in the words of the protocol: "MAIL FROM", "AUTH"… */
    readonly step: string,
    message: string,
    /** The server's reply, when it gave one. */
    readonly reply: string | null = null,
  ) {
    super(message);
  }
}

interface Reply {
  code: number;
  lines: string[];
  text: string;
}

/** Reads replies off a socket, one whole (possibly multi-line) reply at a time. */
class ReplyReader {
  private buffer = '';
  private lines: string[] = [];
  private waiting: ((reply: Reply) => void) | null = null;
  private ready: Reply[] = [];

  constructor(socket: Socket) {
    this.attach(socket);
  }

  attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => this.push(chunk.toString('utf8')));
  }

  next(): Promise<Reply> {
    const reply = this.ready.shift();
    if (reply) return Promise.resolve(reply);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  private push(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\n'); end >= 0; end = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, end).replace(/\r$/, '');
      this.buffer = this.buffer.slice(end + 1);
      this.lines.push(line);
      // "250-…" continues a reply, "250 …" (or a bare "250") ends it.
      if (line.charAt(3) === '-') continue;
      const lines = this.lines;
      this.lines = [];
      const reply = {
        code: Number(line.slice(0, 3)) || 0,
        lines: lines.map((l) => l.slice(4)),
        text: lines.join(' ').replace(/\s+/g, ' ').slice(0, 300),
      };
      const waiting = this.waiting;
      this.waiting = null;
      if (waiting) waiting(reply);
      else this.ready.push(reply);
    }
  }
}

/**
 * Runs the conversation against the server `options` name. Resolves with the
 * server's reply to MAIL FROM; rejects with an SmtpProbeError naming the step.
 */
export async function probeSmtp(
  options: SMTPTransportOptions,
  from: string,
  timeoutMs: number,
): Promise<string> {
  const host = options.host ?? 'localhost';
  const port = Number(options.port ?? (options.secure ? 465 : 587));
  const sender = envelopeAddress(from);
  if (/[\r\n<>\s]/.test(sender)) {
    throw new SmtpProbeError('MAIL FROM', `SMTP_FROM's address "${sender}" is not one address`);
  }
  // SMTP_URL never sets `tls`; a caller may (a private CA, in tests).
  const tlsOptions = options.tls ?? {};
  // SNI takes a host name, never an address.
  const servername = isIP(host) ? undefined : host;
  let socket: Socket = options.secure
    ? tlsConnect({ ...tlsOptions, host, port, servername })
    : netConnect({ host, port });
  let step = 'connect';
  let timer: NodeJS.Timeout | undefined;
  let failed: (error: Error) => void = () => {};
  const failure = new Promise<never>((_resolve, reject) => {
    failed = reject;
  });
  failure.catch(() => {}); // read through the race below
  const onError = (error: Error) =>
    failed(new SmtpProbeError(step, `${step}: ${error.message.replace(/\s+/g, ' ')}`));
  const onClose = () =>
    failed(new SmtpProbeError(step, `${step}: the server closed the connection`));
  const watch = (s: Socket) => {
    s.on('error', onError);
    s.on('close', onClose);
  };
  watch(socket);
  const reader = new ReplyReader(socket);
  const reply = () => Promise.race([reader.next(), failure]);
  const command = async (line: string, name: string, expect: number): Promise<Reply> => {
    step = name;
    socket.write(`${line}\r\n`);
    const answer = await reply();
    if (answer.code !== expect) {
      throw new SmtpProbeError(name, `${name} was refused: ${answer.text}`, answer.text);
    }
    return answer;
  };

  try {
    timer = setTimeout(
      () => failed(new SmtpProbeError(step, `${step}: no answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    step = 'greeting';
    const greeting = await reply();
    if (greeting.code !== 220) {
      throw new SmtpProbeError(step, `the server's greeting was ${greeting.text}`, greeting.text);
    }
    const name = hostname() || 'localhost';
    let ehlo = await command(`EHLO ${name}`, 'EHLO', 250);
    const offers = (keyword: string) =>
      ehlo.lines.some((l) => l.toUpperCase().split(' ')[0] === keyword);
    if (!options.secure && (offers('STARTTLS') || options.requireTLS)) {
      if (!offers('STARTTLS')) {
        throw new SmtpProbeError(
          'STARTTLS',
          'the server does not offer STARTTLS, and hushdesk sends its password only over TLS',
        );
      }
      await command('STARTTLS', 'STARTTLS', 220);
      step = 'TLS';
      const plain = socket;
      plain.removeListener('close', onClose);
      plain.removeAllListeners('data');
      socket = tlsConnect({ ...tlsOptions, socket: plain, host, servername });
      watch(socket);
      await Promise.race([
        new Promise((resolve) => socket.once('secureConnect', resolve)),
        failure,
      ]);
      reader.attach(socket);
      ehlo = await command(`EHLO ${name}`, 'EHLO', 250);
    }
    const auth = options.auth as { user?: string; pass?: string } | undefined;
    if (auth?.user !== undefined || auth?.pass !== undefined) {
      const user = auth.user ?? '';
      const pass = auth.pass ?? '';
      const methods = ehlo.lines
        .filter((l) => /^AUTH[ =]/i.test(l))
        .flatMap((l) => l.slice(5).toUpperCase().split(/\s+/));
      if (methods.includes('PLAIN')) {
        const token = Buffer.from(`\0${user}\0${pass}`).toString('base64');
        await command(`AUTH PLAIN ${token}`, 'AUTH', 235);
      } else if (methods.includes('LOGIN')) {
        await command('AUTH LOGIN', 'AUTH', 334);
        await command(Buffer.from(user).toString('base64'), 'AUTH', 334);
        await command(Buffer.from(pass).toString('base64'), 'AUTH', 235);
      } else {
        throw new SmtpProbeError(
          'AUTH',
          `the server offers no sign-in hushdesk can use (it offers ${methods.join(', ') || 'none'})`,
        );
      }
    }
    const accepted = await command(`MAIL FROM:<${sender}>`, 'MAIL FROM', 250);
    await command('RSET', 'RSET', 250);
    step = 'QUIT';
    socket.write('QUIT\r\n');
    return accepted.text;
  } finally {
    clearTimeout(timer);
    socket.removeListener('close', onClose);
    socket.end();
    // A server that does not hang up after QUIT is not waited for.
    const last = socket;
    setTimeout(() => last.destroy(), 1000).unref();
  }
}
