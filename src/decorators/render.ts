import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { formatDate, formatDateTime } from '../tickets/dates.js';
import { statusLabel } from '../tickets/model.js';
import { describeOpenedFrom } from '../tickets/opened-from.js';
import { agencyName, agencyTimeZone } from './agency.js';

export interface PageOptions {
  /** The partial that answers an htmx request; without it htmx gets the whole page. */
  fragment?: string;
  /** The page's frame; `layout` (header, menu, Help button) unless said otherwise. */
  layout?: string;
}

/** An htmx swap, as opposed to a full page load or a history restore. */
export function isHtmx(request: FastifyRequest): boolean {
  return (
    request.headers['hx-request'] === 'true' &&
    request.headers['hx-history-restore-request'] !== 'true'
  );
}

/**
 * What every page's templates are given: the person, the session's CSRF token
 * (or a stand-in for it, src/web/page-cache.ts), the agency, the formatters,
 * then the handler's own data.
 */
export function pageContext(
  app: FastifyInstance,
  request: FastifyRequest,
  data: object,
  csrfToken = request.session?.csrfToken ?? '',
) {
  return {
    staff: request.staff,
    csrfToken,
    path: request.url.split('?')[0],
    agencyName: agencyName(app),
    sessionIdleSeconds: app.config.sessionIdleMinutes * 60,
    timeZone: agencyTimeZone(app),
    fmt: {
      date: formatDate,
      dateTime: (timestamp: string | null) => formatDateTime(timestamp, agencyTimeZone(app)),
      status: statusLabel,
      openedFrom: describeOpenedFrom,
    },
    ...data,
  };
}

/** The fragment for an htmx swap when there is one, else the template in its layout. */
export function pageTemplate(
  request: FastifyRequest,
  template: string,
  options: PageOptions = {},
): { name: string; layout: string | null } {
  if (options.fragment && isHtmx(request)) return { name: options.fragment, layout: null };
  return { name: template, layout: options.layout ?? 'layout' };
}

/**
 * One place decides between a full page and a fragment, so no handler repeats
 * it. `Vary: HX-Request` keeps caches from serving one for the other.
 */
export default fp(async (app) => {
  app.decorateReply(
    'page',
    function (this: FastifyReply, template: string, data: object = {}, options: PageOptions = {}) {
      const request = this.request;
      this.header('vary', 'HX-Request');
      const context = pageContext(app, request, data);
      const { name, layout } = pageTemplate(request, template, options);
      return layout ? this.view(name, context, { layout }) : this.view(name, context);
    },
  );
});

declare module 'fastify' {
  interface FastifyReply {
    page(template: string, data?: object, options?: PageOptions): FastifyReply;
  }
}
