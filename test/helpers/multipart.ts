import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import type { Browser } from './app.js';

export interface FilePart {
  name: string;
  bytes: Buffer;
  /** What the browser claims; the server never believes it. */
  type?: string;
  field?: string;
}

/**
 * A multipart/form-data body as a browser builds it: fields in order, then the
 * files. `_csrf` first unless the test leaves it out or puts it elsewhere.
 */
export function multipartBody(
  fields: [string, string][],
  files: FilePart[],
): { body: Buffer; contentType: string } {
  const boundary = `----hushdesk${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of fields) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    );
  }
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'files'}"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      file.bytes,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Posts a multipart form as the browser would, its CSRF token first unless one is given. */
export function postFiles(
  browser: Browser,
  url: string,
  fields: Record<string, string>,
  files: FilePart[],
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const ordered: [string, string][] = [
    ...('_csrf' in fields ? [] : [['_csrf', browser.csrf] as [string, string]]),
    ...Object.entries(fields),
  ];
  const { body, contentType } = multipartBody(ordered, files);
  return browser.request({
    method: 'POST',
    url,
    payload: body,
    headers: { 'content-type': contentType, ...headers },
  });
}

/** A small real PNG, optionally with EXIF (GPS included) and a rotation. */
export async function makeImage(
  options: { width?: number; height?: number; format?: 'png' | 'jpeg'; exif?: boolean } = {},
): Promise<Buffer> {
  const { width = 64, height = 40, format = 'png' } = options;
  const image = sharp({
    create: { width, height, channels: 3, background: { r: 200, g: 60, b: 30 } },
  });
  const plain = format === 'png' ? await image.png().toBuffer() : await image.jpeg().toBuffer();
  if (!options.exif) return plain;
  // Orientation 6: the camera was turned; GPS in its own directory (IFD3).
  return sharp(plain)
    .withMetadata({ orientation: 6 })
    .withExifMerge({
      IFD0: { Make: 'MarkerCam', Model: 'GPS-Leak-9000' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '45/1 30/1 0/1',
        GPSLongitudeRef: 'W',
        GPSLongitude: '122/1 40/1 0/1',
      },
    })
    .toFormat(format)
    .toBuffer();
}
