/**
 * The email channel's normalize: real .eml files (as mail clients and MTAs write them) in,
 * what the hub makes of them out — a message with its text, HTML, attachments, sender and
 * thread references, or an automatic mail / bounce / own mail that must not become a ticket.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ChannelRequestError, InboundMessageSchema } from '../../../channels/contract';
import { normalizeEmail, type EmailVerdict } from '../../../channels/email/email.normalize';

const OWN = ['support@hub.example', 'complaints@hub.example'];
const eml = (name: string): Buffer => readFileSync(path.join(__dirname, '../../fixtures/email', name));
const parse = (name: string, raw = eml(name)) => normalizeEmail(raw, { ownAddresses: OWN });
async function message(name: string, raw?: Buffer) {
  const v = await parse(name, raw);
  if (v.kind !== 'message') throw new Error(`${name} is ${v.kind}`);
  return { msg: InboundMessageSchema.parse(v.message), ticketNumber: v.ticketNumber };
}

test('plain text: sender, subject, text, Message-ID as the external id', async () => {
  const { msg, ticketNumber } = await message('plain.eml');
  expect(msg).toMatchObject({
    channel: 'email',
    externalId: '<plain-1@mail.example.org>',
    from: { address: 'li.wei@example.org', name: 'Li Wei', kind: 'email' },
    to: [{ address: 'support@hub.example' }],
    subject: 'My order arrived broken',
    threadRefs: [],
  });
  expect(msg.text).toContain('the parcel arrived with the glass broken');
  expect(ticketNumber).toBeNull();
});

test('HTML mail keeps its original HTML (the hub sanitizes it) and its text part; encoded-word subject decoded', async () => {
  const { msg } = await message('html.eml');
  expect(msg.subject).toBe('Suggestion: dark mode — please');
  expect(msg.text).toBe('Please add a dark mode.');
  expect(msg.html).toContain('<b>dark mode</b>');
});

test('GBK / GB2312 and Big5 Chinese mail decodes to readable text, sender name and subject', async () => {
  const gbk = await message('gbk-chinese.eml');
  expect(gbk.msg.subject).toBe('投诉：包装破损');
  expect(gbk.msg.from).toMatchObject({ address: 'zhang.wei@example.cn', name: '张伟' });
  expect(gbk.msg.text).toContain('我的订单到了但是包装破损了');
  const big5 = await message('big5.eml');
  expect(big5.msg.subject).toBe('詢問');
  expect(big5.msg.text).toContain('請問營業時間');
});

test('attachments and inline (cid) images come with their bytes, type and name', async () => {
  const { msg } = await message('attachment.eml');
  expect(msg.attachments.map((a) => [a.name, a.contentType])).toEqual([
    ['logo.png', 'image/png'],
    ['invoice.pdf', 'application/pdf'],
  ]);
  const pdf = Buffer.from(msg.attachments[1]!.contentBase64!, 'base64');
  expect(pdf.subarray(0, 8).toString()).toBe('%PDF-1.4');
  expect(pdf.length).toBe(msg.attachments[1]!.size);
  expect(msg.html).toContain('cid:logo@omar');
});

test('a reply carries In-Reply-To/References as thread refs and the [#n] subject token', async () => {
  const { msg, ticketNumber } = await message('reply.eml');
  expect(msg.threadRefs).toEqual(['<plain-1@mail.example.org>', '<0123456789abcdef01234567@hub.example>']);
  expect(ticketNumber).toBe(12);
});

test('no Message-ID: the external id is a hash of the raw bytes (the same bytes, the same id)', async () => {
  const a = await message('no-message-id.eml');
  const b = await message('no-message-id.eml');
  expect(a.msg.externalId).toMatch(/^<sha256-[0-9a-f]{64}@omnihub\.invalid>$/);
  expect(b.msg.externalId).toBe(a.msg.externalId);
  const other = await parse('x', Buffer.from(eml('no-message-id.eml').toString().replace('a message', 'another message')));
  expect(other.kind === 'message' && other.message.externalId).not.toBe(a.msg.externalId);
});

test('out-of-office and list mail are automatic: no ticket', async () => {
  expect(await parse('auto-reply.eml')).toEqual({ kind: 'auto', reason: 'Auto-Submitted: auto-replied' });
  const withHeader = (h: string) => parse('x', Buffer.from(eml('plain.eml').toString().replace('MIME-Version', `${h}\r\nMIME-Version`)));
  expect((await withHeader('Precedence: bulk')).kind).toBe('auto');
  expect((await withHeader('X-Auto-Response-Suppress: All')).kind).toBe('auto');
  expect((await withHeader('Auto-Submitted: no')).kind).toBe('message');
});

test('a bounce names the original message, the failed recipient and the server reason', async () => {
  expect(await parse('bounce.eml')).toEqual<EmailVerdict>({
    kind: 'bounce',
    originalMessageId: '<0123456789abcdef01234567@hub.example>',
    recipient: 'gone@example.org',
    reason: '550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown',
  });
});

test("mail from the hub's own addresses is dropped", async () => {
  const raw = Buffer.from(eml('plain.eml').toString().replace('From: Li Wei <li.wei@example.org>', 'From: Support <Support@hub.example>'));
  expect((await parse('x', raw)).kind).toBe('own');
});

test('a malformed message without a sender is refused with the field at fault', async () => {
  const err = await parse('malformed.eml').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ChannelRequestError);
  expect((err as ChannelRequestError).errors.map((e) => e.field)).toEqual(['from']);
});

test('a very long References chain keeps its most recent ids, within the message limits', async () => {
  const refs = Array.from({ length: 150 }, (_, n) => `<ref-${n}@example.org>`).join(' ');
  const raw = Buffer.from(eml('reply.eml').toString().replace(/^References: .*$/m, `References: ${refs}`));
  const { msg } = await message('x', raw);
  expect(msg.threadRefs).toHaveLength(99);
  expect(msg.threadRefs).toContain('<0123456789abcdef01234567@hub.example>');
  expect(msg.threadRefs).toContain('<ref-149@example.org>');
  expect(msg.threadRefs).not.toContain('<ref-0@example.org>');
});
