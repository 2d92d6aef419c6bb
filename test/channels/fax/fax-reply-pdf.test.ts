/**
 * The fax page an agent's reply becomes: what a recipient reads off it (poppler's pdftotext
 * and, rendered to an image as a fax machine would print it, tesseract): the letterhead, the
 * ticket number, the date in the instance's zone, the Chinese and English reply wrapped to
 * the page; the paper size; a long reply running onto more pages, each with its footer.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderFaxReply, type FaxReplyPage } from '../../../channels/fax/fax.reply-pdf';

jest.setTimeout(120_000);

const dir = mkdtempSync(path.join(process.env.TEST_TMP_DIR ?? tmpdir(), 'fax-reply-pdf-'));
let n = 0;
function file(pdf: Buffer): string {
  const f = path.join(dir, `reply-${(n += 1)}.pdf`);
  writeFileSync(f, pdf);
  return f;
}
const text = (f: string) => execFileSync('pdftotext', ['-enc', 'UTF-8', f, '-'], { encoding: 'utf8' });
const info = (f: string) => execFileSync('pdfinfo', [f], { encoding: 'utf8' });
/** Without the line breaks the wrapping put in (a Chinese sentence may wrap between any two characters). */
const unwrapped = (t: string) => t.replace(/\s*\n\s*/g, '');

const CHINESE = '您好，我们已经收到您关于订单4471的投诉，非常抱歉给您带来不便。我们将在三个工作日内为您办理全额退款，并安排快递上门取回损坏的商品。';
const ENGLISH = 'We have received your complaint about order 4471 and will refund it in full within three working days.';

const base: FaxReplyPage = {
  letterhead: '华东电器有限公司 East China Appliances Ltd.\n上海市浦东新区世纪大道 100 号 · Fax +86 21 5555 0000',
  ticketNumber: 4711,
  // 23:30 UTC is already the next day in Shanghai.
  date: new Date('2026-12-03T23:30:00Z'),
  timeZone: 'Asia/Shanghai',
  to: '+861065521234',
  text: `${CHINESE}\n\n${ENGLISH}`,
  signedBy: 'Agent Ada',
  paperSize: 'A4',
  language: 'zh-CN',
};

test('a Chinese and English reply: the letterhead, ticket number, date and the wrapped reply can be read off the page', async () => {
  const f = file(await renderFaxReply(base));
  const t = text(f);
  expect(t).toContain('华东电器有限公司 East China Appliances Ltd.');
  expect(t).toContain('工单号: #4711');
  expect(t).toContain('日期: 2026-12-04');
  expect(t).toContain('+861065521234');
  // The Chinese sentence wraps between characters (no spaces put in), the English between words.
  expect(t.split('\n').filter((line) => line.trim().length > 0).length).toBeGreaterThan(6);
  expect(unwrapped(t)).toContain(CHINESE);
  expect(t.replace(/\s+/g, ' ')).toContain(ENGLISH);
  expect(t).toContain('— Agent Ada');
  expect(t).toContain('第 1 页，共 1 页');
  expect(info(f)).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);

  // As a fax machine prints it (200 dpi, grey), the page reads back.
  execFileSync('pdftoppm', ['-r', '200', '-gray', '-png', '-f', '1', '-l', '1', f, path.join(dir, 'ocr')]);
  const ocr = execFileSync('tesseract', [path.join(dir, 'ocr-1.png'), '-', '-l', 'chi_sim+eng'], { encoding: 'utf8', env: { ...process.env, OMP_THREAD_LIMIT: '1' } });
  expect(ocr.replace(/\s+/g, '')).toContain('我们已经收到您关于订单');
  expect(ocr).toContain('refund it in full');
});

test('English labels and Letter paper; the same reply renders to the same bytes', async () => {
  const page = { ...base, language: 'en' as const, paperSize: 'Letter' as const, subject: 'Broken kettle' };
  const a = await renderFaxReply(page);
  const f = file(a);
  const t = text(f);
  expect(t).toContain('Ticket: #4711');
  expect(t).toContain('Date: 2026-12-04');
  expect(t).toContain('Re: Broken kettle');
  expect(t).toContain('Page 1 of 1');
  expect(info(f)).toMatch(/Page size:\s+612 x 792 pts \(letter\)/);
  expect((await renderFaxReply(page)).equals(a)).toBe(true);
});

test('a long reply runs onto more pages, each with the ticket number and page count', async () => {
  const long = Array.from({ length: 40 }, (_, i) => `第${i + 1}条：${CHINESE} ${ENGLISH}`).join('\n');
  const f = file(await renderFaxReply({ ...base, text: long }));
  const pages = Number(/Pages:\s+(\d+)/.exec(info(f))?.[1]);
  expect(pages).toBeGreaterThan(2);
  const t = text(f);
  for (let p = 1; p <= pages; p += 1) expect(t).toContain(`工单号 #4711 · 第 ${p} 页，共 ${pages} 页`);
  expect(unwrapped(t)).toContain(`第40条：${CHINESE}`);
});
