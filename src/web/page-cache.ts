import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { changeMarkOf } from '../db/dialect/change-marks.js';
import type { Db } from '../db/index.js';
import { isHtmx, type PageOptions, pageContext, pageTemplate } from '../decorators/render.js';

/**
 * The ticket lists a person opened, kept so the same address opened again by
 * the same person is answered without asking the store or rendering: the lists
 * are what staff open most, and their 50 rows, filter form and counts cost
 * milliseconds to build where sending a kept copy costs a tenth of one.
 *
 * A kept page is served only while nothing it shows can have changed:
 * - the store's change mark (src/db/dialect/change-marks.ts) is the one it was
 *   rendered under, read before its first query, so a save anywhere, by this
 *   process or a command beside it, sends the next request to the store;
 * - it is at most MAX_AGE_MS old, for what moves with the clock alone (a
 *   response target running out, an overdue date at midnight);
 * - it is the same person (permissions and name come with the person, and any
 *   change to them moves the mark) and the same kind of request (whole page
 *   or htmx fragment).
 * A reload that asks caches not to answer (`Cache-Control: no-cache`, what a
 * browser's hard reload sends) is rendered afresh, and kept for the next one.
 * Each session's own CSRF token is put in as it is sent: the copy holds a
 * marker in its place, random per process, so no typed text can match it.
 * Lists hold titles, never PHI (no description, note or file name).
 * On PostgreSQL there is no mark (other processes write unseen), so nothing is kept.
 */
const MAX_AGE_MS = 15_000;
/** Ten of the largest lists (100 KB each, one byte a character) per megabyte. */
const MAX_BYTES = 8 * 2 ** 20;
const TOKEN_MARKER = `csrf-${randomBytes(18).toString('hex')}`;

interface KeptPage {
  mark: string;
  at: number;
  /**
   * The page cut at each place its CSRF token goes, already UTF-8: sent as
   * bytes, a 100 KB page is neither measured nor encoded again per request
   * (half again as many pages a second as sending the string).
   */
  parts: Buffer[];
  /**
   * The page as last sent, with that session's token: sent again as it is to
   * the same session, so a kept page costs no allocation (a new 100 KB buffer
   * per request grew the server by 60 MB under load).
   */
  sent: { token: string; page: Buffer } | null;
  bytes: number;
}

export class PageCache {
  readonly #pages = new Map<string, KeptPage>();
  #bytes = 0;
  /** Answers from a kept copy, and pages rendered where one was looked for (for /metrics). */
  hits = 0;
  misses = 0;

  constructor(
    readonly maxBytes = MAX_BYTES,
    readonly maxAgeMs = MAX_AGE_MS,
  ) {}

  get size(): number {
    return this.#pages.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string, mark: string, now: number): KeptPage | null {
    const page = this.#pages.get(key);
    if (page) this.#drop(key, page);
    if (!page || page.mark !== mark || now - page.at > this.maxAgeMs || now < page.at) {
      this.misses++;
      return null;
    }
    // Most recently used last: the first in the map is the next to go.
    this.#pages.set(key, page);
    this.#bytes += page.bytes;
    this.hits++;
    return page;
  }

  set(key: string, mark: string, parts: Buffer[], now: number): KeptPage {
    const old = this.#pages.get(key);
    if (old) this.#drop(key, old);
    // Room for the parts and the page as sent.
    const bytes = 2 * parts.reduce((sum, part) => sum + part.length, 0);
    const page: KeptPage = { mark, at: now, parts, sent: null, bytes };
    if (bytes > this.maxBytes) return page;
    for (const [oldest, kept] of this.#pages) {
      if (this.#bytes + bytes <= this.maxBytes) break;
      this.#drop(oldest, kept);
    }
    this.#pages.set(key, page);
    this.#bytes += bytes;
    return page;
  }

  #drop(key: string, page: KeptPage): void {
    this.#pages.delete(key);
    this.#bytes -= page.bytes;
  }
}

const caches = new WeakMap<Db, PageCache>();

/** The kept pages of a store (hits, misses, size), for /metrics and the tests. */
export function cacheOf(db: Db): PageCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new PageCache();
    caches.set(db, cache);
  }
  return cache;
}

/** The kept page's bytes with the session's token (ASCII) at each cut; the same buffer again for the same session. */
function withToken(kept: KeptPage, token: string): Buffer {
  if (kept.sent?.token === token) return kept.sent.page;
  const tokenBytes = Buffer.from(token, 'utf8');
  const pieces: Buffer[] = [];
  for (const part of kept.parts) {
    if (pieces.length > 0) pieces.push(tokenBytes);
    pieces.push(part);
  }
  const page = Buffer.concat(pieces);
  kept.sent = { token, page };
  return page;
}

/** Cache-Control: no-cache (or the older Pragma: no-cache) on the request (RFC 9111, 5.2.1.4). */
function wantsFresh(request: FastifyRequest): boolean {
  const asked = `${request.headers['cache-control'] ?? ''},${request.headers.pragma ?? ''}`;
  return /(^|[\s,])no-cache([\s,]|$)/i.test(asked);
}

/** What a list handler renders: reply.page's arguments. */
export interface PageToRender {
  template: string;
  data: object;
  options?: PageOptions;
}

/**
 * Answers with the kept copy of this page when there is one it may serve, and
 * otherwise builds it (`build` asks the store), renders it, keeps it and sends it.
 */
export async function sendKeptPage(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  build: () => Promise<PageToRender>,
): Promise<FastifyReply> {
  const mark = changeMarkOf(app.db);
  const token = request.session?.csrfToken;
  if (mark === null || !request.staff || !token) {
    const page = await build();
    return reply.page(page.template, page.data, page.options);
  }
  const cache = cacheOf(app.db);
  const key = `${request.staff.id} ${isHtmx(request) ? 'fragment' : 'page'} ${request.url}`;
  reply.header('vary', 'HX-Request').type('text/html; charset=utf-8');
  const kept = wantsFresh(request) ? null : cache.get(key, mark, app.now().getTime());
  if (kept) return reply.send(withToken(kept, token));
  const page = await build();
  const { name, layout } = pageTemplate(request, page.template, page.options);
  const context = pageContext(app, request, page.data, TOKEN_MARKER);
  const html = await app.view(name, context, layout ? { layout } : {});
  const parts = html.split(TOKEN_MARKER).map((part) => Buffer.from(part, 'utf8'));
  return reply.send(withToken(cache.set(key, mark, parts, app.now().getTime()), token));
}
