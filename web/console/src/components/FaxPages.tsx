import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/index';
import type { Message } from '../types';
import { Dialog } from './Dialog';
import { Icon } from './Icon';

type Attachment = Message['attachments'][number];

/** `page-3.png` → 3; thumbnails (`page-3.thumb.png`) and other files → null. */
const pageNumber = (name: string): number | null => {
  const m = /^page-(\d+)\.png$/.exec(name);
  return m ? Number(m[1]) : null;
};
const thumbNumber = (name: string): number | null => {
  const m = /^page-(\d+)\.thumb\.png$/.exec(name);
  return m ? Number(m[1]) : null;
};

export interface FaxPage {
  n: number;
  full: Attachment;
  thumb: Attachment | null;
}

/** The pages of a received fax (in page order), its original file, and what the OCR said. */
export function faxParts(m: Message): { pages: FaxPage[]; original: Attachment | null } | null {
  if (m.channel !== 'fax' || m.direction !== 'inbound' || !m.metadata?.faxPages) return null;
  const thumbs = new Map<number, Attachment>();
  for (const a of m.attachments) {
    const n = thumbNumber(a.name);
    if (n !== null) thumbs.set(n, a);
  }
  const pages: FaxPage[] = [];
  for (const a of m.attachments) {
    const n = pageNumber(a.name);
    if (n !== null) pages.push({ n, full: a, thumb: thumbs.get(n) ?? null });
  }
  pages.sort((a, b) => a.n - b.n);
  const original = m.attachments.find((a) => /^fax-.+\.(pdf|tiff?)$/i.test(a.name)) ?? null;
  return { pages, original };
}

/**
 * A received fax in the conversation: a strip of page thumbnails (the thumbnail image when the
 * hub made one, else the page scaled down) that open the page in a viewer, the recognised text
 * beside them marked as automatic, the OCR failure or page cap as a warning, and the original file.
 */
export function FaxPages({ m }: { m: Message }) {
  const { t } = useI18n();
  const [open, setOpen] = useState<number | null>(null);
  const parts = faxParts(m);
  if (!parts) return null;
  const { pages, original } = parts;
  const md = m.metadata;
  const total = Number(md.faxPages) || pages.length;
  const read = Number(md.faxPagesRead) || pages.length;
  const failed = md.ocr === 'failed';
  return (
    <div class="fax" data-testid="fax-pages">
      {failed && (
        <div class="notice warn" role="alert" data-testid="fax-ocr-failed">
          {t('fax.ocrFailed', { reason: md.ocrError ?? '' })}
        </div>
      )}
      {md.faxPageCap && read < total && (
        <div class="notice warn" data-testid="fax-capped">
          {t('fax.capped', { read: String(read), total: String(total) })}
        </div>
      )}
      <div class="fax-body">
        {pages.length > 0 && (
          <ol class="fax-strip" aria-label={t('fax.pages')}>
            {pages.map((p, i) => (
              <li key={p.full.url}>
                <button type="button" class="fax-thumb" data-action="fax-page" data-page={p.n} onClick={() => setOpen(i)} aria-label={t('fax.openPage', { n: String(p.n) })}>
                  <img src={(p.thumb ?? p.full).url} alt="" loading="lazy" />
                  <span class="small muted">{p.n}</span>
                </button>
              </li>
            ))}
          </ol>
        )}
        {!failed && (
          <div class="fax-text">
            <div class="small fax-ocr-mark" data-testid="fax-ocr-mark">
              <Icon name="alert" size={12} /> {t('fax.ocrMark')}
            </div>
            <div class="msg-body text" data-testid="fax-ocr-text">
              {m.text}
            </div>
          </div>
        )}
      </div>
      {original && (
        <div class="small">
          <a href={original.url} download={original.name} data-testid="fax-original">
            {t('fax.original', { name: original.name })}
          </a>
        </div>
      )}
      {open !== null && pages[open] && <FaxViewer pages={pages} index={open} onMove={setOpen} onClose={() => setOpen(null)} />}
    </div>
  );
}

function FaxViewer({ pages, index, onMove, onClose }: { pages: FaxPage[]; index: number; onMove(i: number): void; onClose(): void }) {
  const { t } = useI18n();
  const [actual, setActual] = useState(false);
  const page = pages[index]!;
  const prev = () => index > 0 && onMove(index - 1);
  const next = () => index < pages.length - 1 && onMove(index + 1);
  return (
    <Dialog labelledBy="fax-viewer-title" onClose={onClose} class="fax-viewer" testId="fax-viewer">
      <div
        onKeyDown={(e) => {
          if (e.key === 'ArrowLeft') {
            e.preventDefault();
            prev();
          } else if (e.key === 'ArrowRight') {
            e.preventDefault();
            next();
          }
        }}
      >
        <header class="fax-viewer-head">
          <h2 id="fax-viewer-title" data-testid="fax-viewer-title">
            {t('fax.pageOf', { n: String(page.n), total: String(pages.length) })}
          </h2>
          <div class="fax-viewer-tools">
            <button type="button" class="btn small" data-action="fax-prev" disabled={index === 0} onClick={prev}>
              {t('fax.previous')}
            </button>
            <button type="button" class="btn small" data-action="fax-next" disabled={index === pages.length - 1} onClick={next}>
              {t('fax.next')}
            </button>
            <button type="button" class="btn small" data-action="fax-zoom" aria-pressed={actual} onClick={() => setActual(!actual)}>
              {actual ? t('fax.fit') : t('fax.actualSize')}
            </button>
            <button type="button" class="btn small" data-action="fax-close" onClick={onClose}>
              {t('fax.close')}
            </button>
          </div>
        </header>
        <div class={`fax-viewer-page ${actual ? 'actual' : 'fit'}`}>
          <img src={page.full.url} alt={t('fax.pageOf', { n: String(page.n), total: String(pages.length) })} data-testid="fax-viewer-image" data-page={page.n} />
        </div>
      </div>
    </Dialog>
  );
}
