import type { FastifyReply, FastifyRequest } from 'fastify';
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
 * One place decides between a full page and a fragment, so no handler repeats
 * it. `Vary: HX-Request` keeps caches from serving one for the other.
 */
export default fp(async (app) => {
  app.decorateReply(
    'page',
    function (this: FastifyReply, template: string, data: object = {}, options: PageOptions = {}) {
      const request = this.request;
      this.header('vary', 'HX-Request');
      const context = {
        staff: request.staff,
        csrfToken: request.session?.csrfToken ?? '',
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
      if (options.fragment && isHtmx(request)) return this.view(options.fragment, context);
      return this.view(template, context, { layout: options.layout ?? 'layout' });
    },
  );
});

declare module 'fastify' {
  interface FastifyReply {
    page(template: string, data?: object, options?: PageOptions): FastifyReply;
  }
}
