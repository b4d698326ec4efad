/**
 * Headers on every file hushdesk serves: the browser takes the type as given
 * (nosniff), runs nothing in it even if opened on its own (a sandbox with no
 * sources), and keeps no copy.
 */
export const FILE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
  'cache-control': 'no-store',
  'cross-origin-resource-policy': 'same-origin',
} as const;

/**
 * `inline` only for re-encoded images; everything else `attachment`. The name
 * goes in twice (RFC 6266): an ASCII stand-in in quotes, and the UTF-8 name
 * percent-encoded, so no character of it can end or bend the header.
 */
export function contentDisposition(name: string, inline: boolean): string {
  const ascii = name.replace(/[^A-Za-z0-9._ -]/g, '_').slice(0, 100) || 'file';
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
