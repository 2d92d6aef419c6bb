import busboy from 'busboy';
import type { Request } from 'express';
import { ChannelRequestError } from '../contract';

/** A form-encoded webhook body (SignalWire's `application/x-www-form-urlencoded`, Phaxio's `multipart/form-data`). */
export interface FormBody {
  fields: Record<string, string>;
  files: Array<{ field: string; filename: string; contentType: string; bytes: Buffer }>;
}

export interface FormLimits {
  /** Largest file part (the faxed document). */
  maxFileBytes: number;
}

const MAX_FIELDS = 200;
const MAX_FIELD_BYTES = 256 * 1024;
const MAX_FILES = 4;

/**
 * Reads a form body with busboy (the hub parses only JSON, so a form webhook reads its own),
 * within limits: a part or a count over them is 413, a body that is not a form 415, a broken one 400.
 */
export function readFormBody(req: Request, limits: FormLimits): Promise<FormBody> {
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('multipart/form-data') && !type.startsWith('application/x-www-form-urlencoded')) {
    return Promise.reject(new ChannelRequestError(415, 'Unsupported media type', 'The notification must be multipart/form-data or application/x-www-form-urlencoded.'));
  }
  return new Promise<FormBody>((resolve, reject) => {
    const body: FormBody = { fields: {}, files: [] };
    let failed: ChannelRequestError | null = null;
    const fail = (e: ChannelRequestError) => {
      failed ??= e;
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: limits.maxFileBytes, files: MAX_FILES, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES } });
    } catch (err) {
      reject(new ChannelRequestError(400, 'Malformed form', err instanceof Error ? err.message : String(err)));
      return;
    }
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new ChannelRequestError(413, 'Payload too large', `The field ${name} is over ${MAX_FIELD_BYTES} bytes.`));
      body.fields[name] = value;
    });
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => fail(new ChannelRequestError(413, 'Fax document too large', `The file ${field} is over ${limits.maxFileBytes} bytes.`)));
      stream.on('close', () => body.files.push({ field, filename: info.filename ?? '', contentType: info.mimeType, bytes: Buffer.concat(chunks) }));
    });
    parser.on('fieldsLimit', () => fail(new ChannelRequestError(413, 'Payload too large', `More than ${MAX_FIELDS} fields.`)));
    parser.on('filesLimit', () => fail(new ChannelRequestError(413, 'Payload too large', `More than ${MAX_FILES} files.`)));
    parser.on('error', (err: unknown) => reject(new ChannelRequestError(400, 'Malformed form', err instanceof Error ? err.message : String(err))));
    parser.on('close', () => (failed ? reject(failed) : resolve(body)));
    req.pipe(parser);
  });
}
