import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transportOptions } from '../../src/mail/mailer.js';
import { checkSmtp } from '../../src/ops/doctor.js';
import { probeSmtp } from '../../src/ops/smtp-probe.js';
import { createTestApp } from '../helpers/app.js';
import { useDoctorWorld } from '../helpers/doctor.js';
import { TestSmtpServer } from '../helpers/smtp.js';

/** hushdesk doctor's mail check: a real SMTP server answers the probe. */
const w = useDoctorWorld();

describe('hushdesk doctor: mail server', () => {
  it('mail server: passes when the server answers and accepts the sign-in, fails when unreachable', async () => {
    w.t = await createTestApp();
    expect((await checkSmtp(w.context())).verdict).toBe('warn'); // no SMTP_URL
    w.smtp = await TestSmtpServer.start();
    const before = w.smtp.received.length;
    expect(await checkSmtp(w.context({ smtpUrl: w.smtp.url }))).toMatchObject({ verdict: 'ok' });
    expect(w.smtp.received.length).toBe(before);
    const port = w.smtp.port;
    await w.smtp.stop();
    w.smtp = null;
    const down = await checkSmtp(
      w.context({ smtpUrl: `smtp://127.0.0.1:${port}` }, { smtpTimeoutMs: 2000 }),
    );
    expect(down.verdict).toBe('fail');
    expect(down.action).toContain('SMTP_URL');
  });

  it('mail server: passes only when the server accepts SMTP_FROM as the sender, and sends nothing', async () => {
    w.t = await createTestApp();
    const senders: string[] = [];
    w.smtp = await TestSmtpServer.start({
      onMailFrom: (address, _session, callback) => {
        senders.push(address.address);
        if (address.address === 'help@agency.org') return callback();
        const refusal = new Error('5.7.1 Sender address rejected: not owned by user') as Error & {
          responseCode: number;
        };
        refusal.responseCode = 553;
        callback(refusal);
      },
    });
    const accepted = await checkSmtp(
      w.context({ smtpUrl: w.smtp.url, smtpFrom: 'Help desk <help@agency.org>' }),
    );
    expect(accepted).toMatchObject({ verdict: 'ok', action: null });
    expect(accepted.detail).toContain('help@agency.org');
    expect(senders).toEqual(['help@agency.org']);
    expect(w.smtp.received).toHaveLength(0);

    const refused = await checkSmtp(
      w.context({ smtpUrl: w.smtp.url, smtpFrom: 'Help desk <someone@elsewhere.org>' }),
    );
    expect(refused.verdict).toBe('fail');
    expect(refused.detail).toContain('MAIL FROM');
    expect(refused.detail).toContain('553');
    expect(refused.action).toContain('SMTP_FROM');
    expect(refused.action).toContain('someone@elsewhere.org');
    expect(senders).toEqual(['help@agency.org', 'someone@elsewhere.org']);
    expect(w.smtp.received).toHaveLength(0);
  });

  it('mail server: signs in over STARTTLS before MAIL FROM, and never sends the password in the clear', async () => {
    w.t = await createTestApp();
    const dir = mkdtempSync(join(tmpdir(), 'hushdesk-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'));
    const key = readFileSync(join(dir, 'key.pem'));
    rmSync(dir, { recursive: true });
    const signedIn: boolean[] = [];
    w.smtp = await TestSmtpServer.start({
      disabledCommands: [],
      key,
      cert,
      authMethods: ['PLAIN'],
      onMailFrom: (_address, session, callback) => {
        signedIn.push(session.secure && session.user === 'desk');
        callback();
      },
    });
    const url = `smtp://desk:pa%40ss@127.0.0.1:${w.smtp.port}`;
    await expect(
      probeSmtp({ ...transportOptions(url), tls: { ca: cert } }, 'help@agency.org', 5000),
    ).resolves.toMatch(/^250/);
    expect(signedIn).toEqual([true]);
    expect(w.smtp.authAttempts).toEqual(['desk']);

    // The same server without STARTTLS: the probe stops before AUTH.
    await w.smtp.stop();
    w.smtp = await TestSmtpServer.start();
    const plain = await checkSmtp(
      w.context({ smtpUrl: `smtp://desk:secret@127.0.0.1:${w.smtp.port}` }),
    );
    expect(plain.verdict).toBe('fail');
    expect(plain.detail).toContain('STARTTLS');
    expect(w.smtp.authAttempts).toEqual([]);
  });
});
