import type { FastifyReply } from 'fastify';
import type { Config } from '../config.js';

/** `__Host-` pins a cookie to our origin and path /, but browsers require Secure with it. */
export function sessionCookieName(config: Config): string {
  return config.secureCookies ? '__Host-hushdesk' : 'hushdesk';
}

export function formTokenCookieName(config: Config): string {
  return config.secureCookies ? '__Host-hushdesk-form' : 'hushdesk-form';
}

export function setCookie(reply: FastifyReply, config: Config, name: string, value: string): void {
  reply.setCookie(name, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.secureCookies,
  });
}

export function clearCookie(reply: FastifyReply, config: Config, name: string): void {
  reply.clearCookie(name, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.secureCookies,
  });
}
