import type Sharp from 'sharp';

/**
 * What a file is, decided from its bytes, never from its name or the type the
 * browser claimed: an HTML page named `.png` is not an image.
 */
export type DetectedType = 'png' | 'jpeg' | 'gif' | 'webp' | 'pdf' | 'other';

const startsWith = (bytes: Buffer, ...sig: number[]) =>
  bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);

export function detectType(bytes: Buffer): DetectedType {
  if (startsWith(bytes, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (startsWith(bytes, 0xff, 0xd8, 0xff)) return 'jpeg';
  const head = bytes.subarray(0, 12).toString('latin1');
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return 'gif';
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return 'webp';
  if (head.startsWith('%PDF-')) return 'pdf';
  return 'other';
}

/** The only types a download is labelled with; anything else is application/octet-stream. */
const DOWNLOAD_TYPES: Partial<Record<DetectedType, string>> = { pdf: 'application/pdf' };

const IMAGE_TYPES = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
} as const;

/**
 * Decoded pixels stay under libvips' 100 MB "disc threshold" (4 bytes a pixel),
 * so decoding never spills to a temporary file; and a decompression bomb is
 * refused before it is decoded.
 */
export const MAX_IMAGE_PIXELS = 24_000_000;
const THUMBNAIL_PX = 320;

let loading: Promise<typeof Sharp> | undefined;

/**
 * sharp (libvips, a native library) is loaded by the first image, not at
 * start-up: a server that never receives one never pays for it.
 */
function loadSharp(): Promise<typeof Sharp> {
  loading ??= import('sharp').then(({ default: sharp }) => {
    // Nothing decoded is kept in libvips' cache after the request; two cores are shared.
    sharp.cache(false);
    sharp.concurrency(1);
    return sharp;
  });
  return loading;
}

export interface InspectedFile {
  kind: 'image' | 'file';
  contentType: string;
  data: Buffer;
  thumbnail: Buffer | null;
}

export class ImageTooLargeError extends Error {}

/**
 * Images are decoded and re-encoded: orientation applied, every piece of
 * metadata (EXIF, GPS, ICC comments, XMP) left behind, only the first frame of
 * an animation. Only these re-encoded images are ever shown inline. An image
 * that does not decode is kept as a download, like any other file.
 */
export async function inspectFile(bytes: Buffer): Promise<InspectedFile> {
  const type = detectType(bytes);
  if (type === 'png' || type === 'jpeg' || type === 'gif' || type === 'webp') {
    const image = await reencodeImage(bytes, type);
    if (image) return { kind: 'image', contentType: IMAGE_TYPES[type], ...image };
  }
  return {
    kind: 'file',
    contentType: DOWNLOAD_TYPES[type] ?? 'application/octet-stream',
    data: bytes,
    thumbnail: null,
  };
}

async function reencodeImage(
  bytes: Buffer,
  type: keyof typeof IMAGE_TYPES,
): Promise<{ data: Buffer; thumbnail: Buffer } | null> {
  const sharp = await loadSharp();
  const open = () =>
    sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error', animated: false }).rotate();
  try {
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    if ((meta.width ?? 0) * (meta.height ?? 0) > MAX_IMAGE_PIXELS) throw new ImageTooLargeError();
    const data = await open().toFormat(type).toBuffer();
    const thumbnail = await open()
      .resize(THUMBNAIL_PX, THUMBNAIL_PX, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    return { data, thumbnail };
  } catch (error) {
    if (error instanceof ImageTooLargeError) throw error;
    return null;
  }
}
