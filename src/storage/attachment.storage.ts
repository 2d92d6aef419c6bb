import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where attachment bytes live; documents keep only the returned reference. */
export interface AttachmentStore {
  put(bytes: Buffer): Promise<string>;
  get(ref: string): Promise<Buffer>;
}

const REF = /^sha256-[0-9a-f]{64}$/;

/**
 * Content-addressed files in a local directory: the same bytes give the same reference,
 * so a retried ingest never stores a file twice. Writes go through a temp file + rename.
 */
export function createLocalAttachmentStore(dir: string): AttachmentStore {
  const fileFor = (ref: string): string => {
    if (!REF.test(ref)) throw new Error(`invalid attachment reference: ${ref}`);
    return path.join(dir, ref.slice(7, 9), ref);
  };
  return {
    async put(bytes) {
      const ref = `sha256-${createHash('sha256').update(bytes).digest('hex')}`;
      const file = fileFor(ref);
      const exists = await stat(file).then(() => true, () => false);
      if (!exists) {
        await mkdir(path.dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
        await writeFile(tmp, bytes);
        await rename(tmp, file);
      }
      return ref;
    },
    get(ref) {
      return readFile(fileFor(ref));
    },
  };
}
