import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';

/**
 * An agent's reply as the fax page(s) that go out: the company's letterhead, the ticket
 * number, the date, whom it is for, then the reply wrapped to the page (pdfkit breaks lines
 * the Unicode way, so Chinese wraps between characters and English between words), in
 * Debian's Noto Sans CJK (fonts-noto-cjk), which carries Latin too. Every page has a footer
 * with the ticket number and the page count. Pure: the same input gives the same bytes.
 */
export interface FaxReplyPage {
  /** The company's letterhead, one line per line (the first one larger). */
  letterhead: string;
  ticketNumber: number;
  /** When it was written (shown as the date, in `timeZone`). */
  date: Date;
  /** IANA zone the date is shown in. */
  timeZone: string;
  /** The recipient's fax number. */
  to?: string;
  /** The sender's own fax number. */
  from?: string;
  subject?: string;
  text: string;
  /** The agent who wrote it, signed under the text. */
  signedBy?: string;
  paperSize: 'A4' | 'Letter';
  /** The language of the page's own words (labels). */
  language: 'en' | 'zh-CN';
}

export const CJK_FONT_PATH = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
/** The simplified-Chinese face of the collection (its Latin glyphs are the same in every face). */
const CJK_FACE = 'NotoSansCJKsc-Regular';

const LABELS = {
  en: { ticket: 'Ticket', date: 'Date', to: 'To', from: 'From', subject: 'Re', page: (n: number, of: number) => `Page ${n} of ${of}`, about: (t: number) => `Reply to ticket #${t}` },
  'zh-CN': { ticket: '工单号', date: '日期', to: '收件人', from: '发件人', subject: '主题', page: (n: number, of: number) => `第 ${n} 页，共 ${of} 页`, about: (t: number) => `关于工单 #${t} 的回复` },
} as const;

const fonts = new Map<string, Buffer>();
/** The font file, read once per process (19 MB; only the glyphs used are embedded). */
function fontBytes(file: string): Buffer {
  let bytes = fonts.get(file);
  if (!bytes) {
    bytes = readFileSync(file);
    fonts.set(file, bytes);
  }
  return bytes;
}

/** `2026-12-03` in the zone. */
function day(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

/** Control characters a fax page cannot show (tabs become spaces, CRLF becomes LF). */
const printable = (t: string): string =>
  [...t.replace(/\r\n?/g, '\n').replace(/\t/g, '    ')]
    .filter((c) => {
      const code = c.codePointAt(0) ?? 0;
      return c === '\n' || (code >= 0x20 && code !== 0x7f);
    })
    .join('');

export function renderFaxReply(page: FaxReplyPage, o: { fontPath?: string } = {}): Promise<Buffer> {
  const l = LABELS[page.language];
  const doc = new PDFDocument({
    size: page.paperSize === 'Letter' ? 'LETTER' : 'A4',
    margins: { top: 56, bottom: 64, left: 60, right: 60 },
    bufferPages: true,
    // Fixed metadata, so the same reply renders to the same bytes.
    info: { Title: l.about(page.ticketNumber), Creator: 'omnihub', Producer: 'omnihub', CreationDate: page.date, ModDate: page.date },
    lang: page.language === 'zh-CN' ? 'zh-CN' : 'en',
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', fontBytes(o.fontPath ?? CJK_FONT_PATH), CJK_FACE);
  doc.font('cjk');
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const left = doc.page.margins.left;

  // Letterhead: the first line larger, then a rule.
  const head = printable(page.letterhead).split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
  head.forEach((line, i) => doc.fontSize(i === 0 ? 18 : 10).text(line, left, undefined, { width, align: 'center' }));
  const ruleY = doc.y + 6;
  doc.moveTo(left, ruleY).lineTo(left + width, ruleY).lineWidth(1).stroke();
  doc.y = ruleY + 14;

  // Who, what, when.
  const fields: Array<[string, string]> = [
    [l.ticket, `#${page.ticketNumber}`],
    [l.date, day(page.date, page.timeZone)],
    ...(page.to ? [[l.to, page.to] as [string, string]] : []),
    ...(page.from ? [[l.from, page.from] as [string, string]] : []),
    ...(page.subject?.trim() ? [[l.subject, printable(page.subject.trim())] as [string, string]] : []),
  ];
  doc.fontSize(11);
  for (const [label, value] of fields) doc.text(`${label}: ${value}`, left, undefined, { width });
  doc.moveDown(1.2);

  // The reply, wrapped; paragraphs as the agent wrote them.
  doc.fontSize(12).text(printable(page.text).trimEnd(), left, undefined, { width, lineGap: 4, paragraphGap: 2 });
  if (page.signedBy?.trim()) {
    doc.moveDown(1.5);
    doc.text(`— ${page.signedBy.trim()}`, left, undefined, { width });
  }

  // Footer on every page: the ticket and the page count (written once all pages exist).
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.fontSize(9).text(`${l.ticket} #${page.ticketNumber} · ${l.page(i - range.start + 1, range.count)}`, left, doc.page.height - 40, { width, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
