import type { Redis } from 'ioredis';
import type { Principal } from '../auth/principal';
import type { AttachmentStore } from '../storage/attachment.storage';
import { DeskError } from '../tickets/desk.errors';

export interface FieldError {
  field: string;
  message: string;
  code?: string;
}

/** An upload or a reply's attachments are refused (422 naming the fields at fault). */
export class AttachmentRefused extends DeskError {
  constructor(status: 422, errors: FieldError[]) {
    super(status, errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
    this.name = 'AttachmentRefused';
  }
}

/** What an agent may attach to a reply: common documents and images. */
export const REPLY_ATTACHMENT_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/zip',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
] as const;

/** Files whose type their first bytes tell: a file that only claims to be one is refused. */
const MAGIC: Record<string, (b: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) => b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a',
  'image/webp': (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
  'application/zip': (b) => b[0] === 0x50 && b[1] === 0x4b,
};
// Office Open XML documents are zip files.
for (const t of REPLY_ATTACHMENT_TYPES) if (t.startsWith('application/vnd.openxmlformats')) MAGIC[t] = MAGIC['application/zip']!;

export const MAX_REPLY_ATTACHMENTS = 10;
/** How long an upload may wait for the reply it belongs to. */
const UPLOAD_TTL_SECONDS = 24 * 3600;

export interface UploadInput {
  name: string;
  contentType: string;
  contentBase64: string;
}

export interface ReplyAttachment {
  name: string;
  contentType: string;
  size: number;
  ref: string;
}

export interface ReplyAttachmentDeps {
  store: AttachmentStore;
  redis: Redis;
  prefix: string;
  /** Largest file an agent may attach (REPLY_MAX_ATTACHMENT_BYTES). */
  maxBytes: number;
  /** The attachment `ref` of a message on a ticket `p` may see (a customer's file passed on), or null. */
  visible(p: Principal, ref: string): Promise<{ name: string; contentType: string } | null>;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const mb = (n: number): string => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;

/**
 * Files agents attach to replies: uploaded into the attachment store first (content-addressed,
 * checked for type and size), then named by their `ref` in the reply. A reply may name what its
 * author uploaded (for a day) or an attachment of a ticket they can see.
 */
export function createReplyAttachments(deps: ReplyAttachmentDeps) {
  const { store, redis, maxBytes } = deps;
  const uploadKey = (p: Principal, ref: string): string => `${deps.prefix}:reply-upload:${p.kind}:${p.id}:${ref}`;
  const allowed = (t: string): boolean => (REPLY_ATTACHMENT_TYPES as readonly string[]).includes(t);
  const typeError = (field: string, t: string): FieldError => ({
    field,
    message: `files of type ${t || 'unknown'} cannot be attached; allowed: images (PNG, JPEG, GIF, WebP), PDF, text, CSV, ZIP and Office documents`,
    code: 'invalid_value',
  });
  const sizeError = (field: string, size: number): FieldError => ({ field, message: `the file is ${mb(size)}; at most ${mb(maxBytes)} can be attached`, code: 'too_big' });

  return {
    maxBytes,
    /** Stores an agent's file for a reply; answers its ref. */
    async upload(p: Principal, input: UploadInput): Promise<ReplyAttachment> {
      const contentType = input.contentType.trim().toLowerCase().split(';')[0]!.trim();
      if (!allowed(contentType)) throw new AttachmentRefused(422, [typeError('contentType', contentType)]);
      const b64 = input.contentBase64.replace(/\s+/g, '');
      if (!BASE64.test(b64)) throw new AttachmentRefused(422, [{ field: 'contentBase64', message: 'not base64', code: 'invalid_format' }]);
      // The size is known before decoding: a file too large is refused without holding it twice.
      const size = Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
      if (size > maxBytes) throw new AttachmentRefused(422, [sizeError('contentBase64', size)]);
      const bytes = Buffer.from(b64, 'base64');
      if (bytes.length === 0) throw new AttachmentRefused(422, [{ field: 'contentBase64', message: 'the file is empty', code: 'too_small' }]);
      const magic = MAGIC[contentType];
      if (magic && !magic(bytes)) throw new AttachmentRefused(422, [{ field: 'contentType', message: `the file is not a ${contentType} file`, code: 'invalid_value' }]);
      const ref = await store.put(bytes);
      await redis.set(uploadKey(p, ref), '1', 'EX', UPLOAD_TTL_SECONDS);
      return { name: input.name.trim(), contentType, size: bytes.length, ref };
    },

    /**
     * A reply's attachments as they are stored on the message: each one uploaded by `p` (or on a
     * ticket `p` may see), of an allowed type and size; the size is the stored file's.
     */
    async resolve(p: Principal, items: ReadonlyArray<{ ref: string; name: string; contentType: string }>): Promise<ReplyAttachment[]> {
      if (items.length > MAX_REPLY_ATTACHMENTS) {
        throw new AttachmentRefused(422, [{ field: 'attachments', message: `at most ${MAX_REPLY_ATTACHMENTS} files per reply`, code: 'too_big' }]);
      }
      const errors: FieldError[] = [];
      const out: ReplyAttachment[] = [];
      for (const [i, a] of items.entries()) {
        const field = `attachments.${i}`;
        const contentType = a.contentType.trim().toLowerCase();
        const mine = /^sha256-[0-9a-f]{64}$/.test(a.ref) && (await redis.exists(uploadKey(p, a.ref))) === 1;
        if (!mine && !(await deps.visible(p, a.ref))) {
          errors.push({ field: `${field}.ref`, message: 'no such upload (upload the file first, with POST /api/v1/attachments)', code: 'invalid_value' });
          continue;
        }
        const bytes = await store.get(a.ref).catch(() => null);
        if (!bytes) {
          errors.push({ field: `${field}.ref`, message: 'the file is gone; upload it again', code: 'invalid_value' });
          continue;
        }
        if (!allowed(contentType)) errors.push(typeError(`${field}.contentType`, contentType));
        else if (bytes.length > maxBytes) errors.push(sizeError(`${field}.ref`, bytes.length));
        else out.push({ name: a.name.trim(), contentType, size: bytes.length, ref: a.ref });
      }
      if (errors.length > 0) throw new AttachmentRefused(422, errors);
      return out;
    },
  };
}
export type ReplyAttachments = ReturnType<typeof createReplyAttachments>;
