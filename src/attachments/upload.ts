import type { FastifyReply, FastifyRequest } from 'fastify';
import { tokensMatch } from '../auth/tokens.js';
import type { PhiCipher } from '../crypto/phi.js';
import type { SealedAttachment } from '../repositories/attachments.js';
import { countAttachments } from '../repositories/attachments.js';
import { ImageTooLargeError, inspectFile, MAX_IMAGE_PIXELS } from './inspect.js';
import { type AttachmentLimits, getAttachmentLimits, megabytes } from './limits.js';

/** What a multipart form brought besides its fields: files sealed for the store, or why not. */
export interface Uploads {
  files: SealedAttachment[];
  /** Which limit was passed, worded for the person; nothing is stored then. */
  problem: string | null;
}

/** The field every file input posts. */
export const FILES_FIELD = 'files';
const CSRF_FIELD = '_csrf';

export function isMultipart(request: FastifyRequest): boolean {
  return /^multipart\/form-data\b/i.test(request.headers['content-type'] ?? '');
}

/** A name as a person gave it, made safe to keep and show: never a path. */
export function cleanFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const clean = [...base.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '')]
    .slice(0, 200)
    .join('')
    .trim();
  return clean || 'file';
}

const mb = (n: number) => `${n} MB`;

interface Received {
  name: string;
  bytes: Buffer;
}

class Refused extends Error {}

/**
 * Reads a multipart form into memory, within the limits, and never onto disk:
 * fields become `request.body` (so the route reads it as it reads any form),
 * files become `request.uploads`, encrypted. Run as the route's preHandler,
 * after the session, the permission and the ticket were checked.
 *
 * The CSRF token is checked here for multipart forms: from the header htmx
 * sends, or from the `_csrf` field, which must come before any file (forms
 * put it first), so no file is read for a forged request. A limit passed
 * stops keeping bytes but reads on, so every field typed comes back.
 */
export async function readMultipartForm(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { phi: PhiCipher; csrfToken: string | null; ticketId: number | null },
): Promise<void> {
  if (!isMultipart(request)) return;
  const app = request.server;
  const limits = await getAttachmentLimits(app.db);
  const held =
    options.ticketId === null
      ? { files: 0, bytes: 0 }
      : await countAttachments(app.db, options.ticketId);
  const header = request.headers['x-csrf-token'];
  let csrfOk =
    options.csrfToken === null ||
    (typeof header === 'string' && tokensMatch(header, options.csrfToken));
  const fields: Record<string, string | string[]> = {};
  const received: Received[] = [];
  let problem: string | null = null;
  let total = held.bytes;
  try {
    const parts = request.parts({
      limits: {
        fileSize: megabytes(limits.fileMb),
        files: limits.filesPerTicket + 1,
        fields: 200,
        parts: 300,
        fieldSize: 512 * 1024,
        headerPairs: 50,
      },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        const value = String(part.value);
        if (part.fieldname === CSRF_FIELD && options.csrfToken !== null && !csrfOk) {
          csrfOk = tokensMatch(value, options.csrfToken);
        }
        const before = fields[part.fieldname];
        fields[part.fieldname] =
          before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
        continue;
      }
      if (!csrfOk) throw new Refused();
      // An empty file input still sends a part, with no name and no bytes.
      if (part.fieldname !== FILES_FIELD || !part.filename) {
        part.file.resume();
        continue;
      }
      const name = cleanFileName(part.filename);
      if (problem || held.files + received.length >= limits.filesPerTicket) {
        problem ??= tooMany(limits, held.files);
        part.file.resume();
        continue;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of part.file as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (total + size <= megabytes(limits.ticketMb)) chunks.push(chunk);
      }
      if (part.file.truncated)
        problem = `“${name}” is larger than ${mb(limits.fileMb)}, the largest file allowed.`;
      else if (total + size > megabytes(limits.ticketMb)) problem = tooBig(limits, held.bytes);
      else if (size > 0) received.push({ name, bytes: Buffer.concat(chunks, size) });
      total += size;
    }
  } catch (error) {
    if (error instanceof Refused || !csrfOk) return refuseForm(reply);
    const code = (error as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT') problem ??= tooMany(limits, held.files);
    else if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      problem ??= 'The form had more parts than it can.';
    } else {
      // Cut off midway, or not a well-formed form: nothing was kept, nothing is stored.
      request.log.info({ code }, 'multipart form not read to its end');
      return reply.code(400).page('error', {
        title: 'The files did not arrive',
        message: 'The upload stopped before it was complete; nothing was saved. Try again.',
      });
    }
  }
  if (!csrfOk) return refuseForm(reply);
  request.body = fields;
  request.uploads = problem ? { files: [], problem } : await sealFiles(received, options.phi);
}

function tooMany(limits: AttachmentLimits, held: number): string {
  const room = Math.max(0, limits.filesPerTicket - held);
  return `A ticket can hold ${limits.filesPerTicket} files${held > 0 ? `; this one has room for ${room} more` : ''}. Choose fewer files.`;
}

function tooBig(limits: AttachmentLimits, held: number): string {
  const left = Math.max(0, megabytes(limits.ticketMb) - held);
  const room =
    held > 0 ? `; this one has room for ${(left / megabytes(1)).toFixed(1)} MB more` : '';
  return `The files on a ticket can add up to ${mb(limits.ticketMb)}${room}. Choose fewer or smaller files.`;
}

async function sealFiles(received: Received[], phi: PhiCipher): Promise<Uploads> {
  const files: SealedAttachment[] = [];
  for (const { name, bytes } of received) {
    try {
      const inspected = await inspectFile(bytes);
      files.push({
        name: phi.encrypt(name),
        kind: inspected.kind,
        contentType: inspected.contentType,
        size: inspected.data.length,
        data: phi.encryptBytes(inspected.data),
        thumbnail: inspected.thumbnail ? phi.encryptBytes(inspected.thumbnail) : null,
      });
    } catch (error) {
      if (!(error instanceof ImageTooLargeError)) throw error;
      const most = (MAX_IMAGE_PIXELS / 1_000_000).toFixed(0);
      return {
        files: [],
        problem: `“${name}” is an image of more than ${most} million pixels; make it smaller and add it again.`,
      };
    }
  }
  return { files, problem: null };
}

function refuseForm(reply: FastifyReply) {
  return reply.code(403).page('error', {
    title: 'This form has expired',
    message: 'The page was open too long or came from somewhere else. Reload it and try again.',
  });
}

/** The files a form brought, or none. */
export function uploadsOf(request: FastifyRequest): Uploads {
  return request.uploads ?? { files: [], problem: null };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by readMultipartForm on routes that accept files. */
    uploads: Uploads | null;
  }
  interface FastifyContextConfig {
    /** The route accepts multipart forms and checks their CSRF token itself (readMultipartForm). */
    multipart?: boolean;
  }
}
