import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../root.js';
import { ID_SEGMENT, KEPT_SEGMENT, MAX_SEGMENTS } from '../../tickets/opened-from.js';

/** The Help button snippet as served: its bytes, versioned path and integrity hash. */
export interface HelpButtonAsset {
  body: Buffer;
  /** `/help/button-<first 12 hex of its SHA-256>.js`: a new file gets a new address. */
  path: string;
  /** Subresource Integrity value for the script tag (`sha384-…`). */
  integrity: string;
}

export const HELP_BUTTON_FILE = join(ROOT, 'snippet', 'help-button.js');

/** Read once at start-up: the hash shown to administrators is the hash of what is served. */
export function loadHelpButton(file = HELP_BUTTON_FILE): HelpButtonAsset {
  const body = readFileSync(file);
  const version = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return {
    body,
    path: `/help/button-${version}.js`,
    integrity: `sha384-${createHash('sha384').update(body).digest('base64')}`,
  };
}

/** The one-line script tag an agency adds to an application's pages. */
export function helpButtonTag(baseUrl: string, asset: HelpButtonAsset): string {
  return `<script src="${baseUrl}${asset.path}" integrity="${asset.integrity}" crossorigin="anonymous" defer></script>`;
}

/**
 * The "hushdesk Help" bookmarklet: run in the other application's page, so it
 * is tiny, reads only location, cleans the path as the server does, and only
 * calls window.open.
 */
export function helpBookmarklet(baseUrl: string): string {
  const target = JSON.stringify(`${baseUrl}/help/new?host=`);
  const code = [
    '(function(){',
    `var k=${KEPT_SEGMENT.toString()},l=location,`,
    `p='/'+l.pathname.split('/').filter(function(s){return s!==''}).slice(0,${MAX_SEGMENTS})`,
    `.map(function(s){return k.test(s)?s:'${ID_SEGMENT}'}).join('/');`,
    `window.open(${target}+encodeURIComponent(l.host)+'&path='+encodeURIComponent(p),`,
    `'hushdesk-help','popup,width=560,height=760')})()`,
  ].join('');
  return `javascript:${code}`;
}
