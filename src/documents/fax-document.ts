import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A received fax document (PDF, or TIFF G3/G4 with any number of pages) → its page images
 * and the text read from them, with Debian's tools and no network:
 *   TIFF → PDF (`tiff2pdf`), pages → PNG and thumbnails (`pdftoppm`), page count (`pdfinfo`),
 *   OCR (`tesseract -l chi_sim+eng`).
 * A document the tools cannot read (corrupt, encrypted, not a fax) is not an exception: the
 * result says why (`error`) and has no pages; the caller keeps the original file.
 */
export interface FaxPage {
  /** `page-<n>.png`: the page as rendered for reading. */
  name: string;
  png: Buffer;
  /** `page-<n>.thumb.png`: the page scaled down to fit {@link THUMB_PIXELS} (the console's page strip). */
  thumbName: string;
  thumb: Buffer;
}

/** The longer side of a page thumbnail, in pixels. */
export const THUMB_PIXELS = 240;

export interface FaxDocument {
  format: 'pdf' | 'tiff' | 'unknown';
  contentType: string;
  /** Pages of the document (0 when it could not be read). */
  pageCount: number;
  /** The pages rendered and read (at most the page cap). */
  pages: FaxPage[];
  text: string;
  /** Why OCR failed, in the tools' words; null when it worked. */
  error: string | null;
}

export interface FaxDocumentOptions {
  /** Only the first this many pages are rendered and read. */
  maxPages: number;
  /** tesseract languages (`chi_sim+eng`). */
  languages: string;
  /** Per tool run. */
  timeoutMs: number;
  /** Page images' resolution (dpi). */
  dpi?: number;
}

export function sniffFax(bytes: Buffer): { format: FaxDocument['format']; contentType: string } {
  const head = bytes.subarray(0, 5).toString('latin1');
  if (head === '%PDF-') return { format: 'pdf', contentType: 'application/pdf' };
  if (head.startsWith('II*\0') || head.startsWith('MM\0*')) return { format: 'tiff', contentType: 'image/tiff' };
  return { format: 'unknown', contentType: 'application/octet-stream' };
}

const CJK = '\\u2e80-\\u2fff\\u3000-\\u303f\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef';
const CJK_GAP = new RegExp(`([${CJK}])[ \\t\\u00a0]+(?=[${CJK}])`, 'g');

/** OCR text as people write it: no spaces between Chinese characters, trimmed lines, no runs of blank lines. */
export function tidyOcrText(text: string): string {
  return text
    .replace(/\f/g, '\n')
    .split('\n')
    .map((line) => line.replace(CJK_GAP, '$1').replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

class ToolError extends Error {}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // One thread per OCR: the hub shares the machine.
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8', env: { ...process.env, OMP_THREAD_LIMIT: '1' } }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      const said = stderr.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 2).join('; ');
      const why = e.code === 'ENOENT' ? `${cmd} is not installed` : e.killed ? `${cmd} took longer than ${timeoutMs} ms` : `${cmd}: ${said || e.message}`;
      reject(new ToolError(why.slice(0, 300)));
    });
  });
}

export async function processFaxDocument(bytes: Buffer, opts: FaxDocumentOptions): Promise<FaxDocument> {
  const { format, contentType } = sniffFax(bytes);
  const base = { format, contentType, pageCount: 0, pages: [] as FaxPage[], text: '' };
  if (format === 'unknown') return { ...base, error: 'the file is neither a PDF nor a TIFF' };
  const dir = await mkdtemp(path.join(tmpdir(), 'fax-'));
  try {
    const pdf = path.join(dir, 'doc.pdf');
    if (format === 'tiff') {
      const tif = path.join(dir, 'doc.tif');
      await writeFile(tif, bytes);
      await run('tiff2pdf', ['-o', pdf, tif], opts.timeoutMs);
    } else {
      await writeFile(pdf, bytes);
    }
    const info = await run('pdfinfo', [pdf], opts.timeoutMs).catch((err: unknown) => {
      throw err instanceof ToolError && /password|encrypt/i.test(err.message) ? new ToolError('the PDF is encrypted') : err;
    });
    const pageCount = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1] ?? '0');
    if (pageCount < 1) return { ...base, error: 'the document has no pages' };
    const last = Math.min(pageCount, opts.maxPages);
    const pagesDir = path.join(dir, 'pages');
    await mkdir(pagesDir);
    const range = ['-f', '1', '-l', String(last)];
    await run('pdftoppm', ['-r', String(opts.dpi ?? 200), '-gray', '-png', ...range, pdf, path.join(pagesDir, 'page')], opts.timeoutMs * last);
    await run('pdftoppm', ['-scale-to', String(THUMB_PIXELS), '-gray', '-png', ...range, pdf, path.join(pagesDir, 'thumb')], opts.timeoutMs * last);
    const numbered = (prefix: string) =>
      readdir(pagesDir).then((all) =>
        all.filter((f) => new RegExp(`^${prefix}-\\d+\\.png$`).test(f)).sort((a, b) => Number(/\d+/.exec(a)?.[0]) - Number(/\d+/.exec(b)?.[0])),
      );
    const [files, thumbs] = await Promise.all([numbered('page'), numbered('thumb')]);
    const pages: FaxPage[] = [];
    const texts: string[] = [];
    for (const [n, f] of files.entries()) {
      const file = path.join(pagesDir, f);
      const thumbFile = thumbs[n];
      if (!thumbFile) throw new ToolError(`pdftoppm made no thumbnail of page ${n + 1}`);
      pages.push({ name: `page-${n + 1}.png`, png: await readFile(file), thumbName: `page-${n + 1}.thumb.png`, thumb: await readFile(path.join(pagesDir, thumbFile)) });
      texts.push(tidyOcrText(await run('tesseract', [file, 'stdout', '-l', opts.languages], opts.timeoutMs)));
    }
    return { ...base, pageCount, pages, text: texts.filter(Boolean).join('\n\n'), error: null };
  } catch (err) {
    if (!(err instanceof ToolError)) throw err;
    return { ...base, error: err.message };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
