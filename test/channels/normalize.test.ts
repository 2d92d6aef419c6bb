/**
 * Each inbound adapter's normalize(): one real protocol artifact in, canonical messages out,
 * with no I/O — the same bytes give the same messages, and invalid input names its fields.
 */
import { ChannelRequestError } from '../../channels/contract';
import { createApiChannel, normalizeApiMessage } from '../../channels/api/api.adapter';
import { parseFeedPage } from '../../channels/feed/feed.adapter';
import { cleanFileName, sniffAttachmentType } from '../../channels/webchat/attachment.sniff';
import { normalizeChatMessage } from '../../channels/webchat/webchat.normalize';
import { ClientMessageSchema } from '../../channels/webchat/webchat.schema';

const AT = new Date('2026-03-02T08:15:00.000Z');

/** A POST /api/v1/inbound body as an integrator's CRM sends it (bytes as on the wire). */
const API_BODY = `{
  "externalId": "crm-77812",
  "from": { "address": "Wang.Fang@Example.cn", "name": "王芳" },
  "identities": [{ "kind": "phone", "value": "+86 138 0013 8000" }],
  "subject": "Order 8812",
  "text": "My parcel has not arrived and tracking has not moved for a week.",
  "html": "<p>My parcel has <b>not</b> arrived</p>",
  "threadRefs": ["crm-77001"],
  "chosenType": "complaint",
  "metadata": { "crmCase": "77812" },
  "attachments": [{ "name": "receipt.txt", "contentType": "text/plain", "size": 5, "contentBase64": "aGVsbG8=" }]
}`;

const fieldsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ChannelRequestError) return err.errors.map((e) => e.field);
    throw err;
  }
  throw new Error('expected a ChannelRequestError');
};

describe('API channel normalize', () => {
  test('a JSON body becomes one canonical message with the defaults applied', () => {
    const [m, ...rest] = normalizeApiMessage(JSON.parse(API_BODY), AT);
    expect(rest).toHaveLength(0);
    expect(m).toEqual({
      channel: 'api',
      externalId: 'crm-77812',
      from: { address: 'Wang.Fang@Example.cn', name: '王芳' },
      identities: [{ kind: 'phone', value: '+86 138 0013 8000' }],
      to: [],
      subject: 'Order 8812',
      text: 'My parcel has not arrived and tracking has not moved for a week.',
      html: '<p>My parcel has <b>not</b> arrived</p>',
      attachments: [{ name: 'receipt.txt', contentType: 'text/plain', size: 5, contentBase64: 'aGVsbG8=' }],
      threadRefs: ['crm-77001'],
      receivedAt: AT,
      chosenType: 'complaint',
      metadata: { crmCase: '77812' },
    });
    // Pure: the same body gives the same message.
    expect(normalizeApiMessage(JSON.parse(API_BODY), AT)).toEqual([m]);
  });

  test('a relayed SMS keeps its channel and its own receivedAt', () => {
    const body = JSON.parse('{"channel":"sms","externalId":"SM9f2c","from":{"address":"+8613800138000"},"text":"Any news?","receivedAt":"2026-03-01T23:59:59Z"}');
    const [m] = normalizeApiMessage(body, AT);
    expect(m).toMatchObject({ channel: 'sms', externalId: 'SM9f2c', receivedAt: new Date('2026-03-01T23:59:59Z') });
  });

  test('every invalid field is named; a non-object body is refused as a whole', () => {
    const bad = { ...JSON.parse(API_BODY), text: 42, channel: 'pigeon', receivedAt: 'yesterday-ish', from: {} };
    expect(fieldsOf(() => normalizeApiMessage(bad, AT)).sort()).toEqual(['channel', 'from.address', 'receivedAt', 'text']);
    expect(fieldsOf(() => normalizeApiMessage(JSON.parse('[1,2]'), AT))).toEqual(['(body)']);
    expect(fieldsOf(() => normalizeApiMessage(JSON.parse('"hello"'), AT))).toEqual(['(body)']);
  });

  test("the adapter's normalize is the same function", () => {
    const adapter = createApiChannel({ apiKey: undefined });
    const normalize = adapter.normalize as unknown as (raw: unknown) => Array<{ externalId: string }>;
    expect(normalize(JSON.parse(API_BODY)).map((m) => m.externalId)).toEqual(['crm-77812']);
  });
});

describe('web chat normalize', () => {
  // What the widget emits as `message` (chat.client.ts), with a real 1×1 PNG attached.
  const PAYLOAD = `{
    "id": "m_8f3kq2hz0",
    "text": "  The bag arrived torn, see photo  ",
    "attachments": [{ "name": "IMG_0042.PNG", "contentType": "image/png",
      "dataBase64": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==" }],
    "profile": { "name": "Li Wei", "email": "li.wei@example.org", "phone": "", "topic": "complaint" },
    "page": "https://shop.example/orders/8812"
  }`;

  test('a widget message becomes the canonical message of the visitor’s chat thread', () => {
    const msg = ClientMessageSchema.parse(JSON.parse(PAYLOAD));
    const bytes = Buffer.from(msg.attachments![0]!.dataBase64, 'base64');
    const type = sniffAttachmentType(bytes)!;
    const [m, ...rest] = normalizeChatMessage({
      visitorId: 'v_abc123',
      clientId: msg.id,
      text: msg.text.trim(),
      profile: msg.profile,
      attachments: [{ name: cleanFileName(msg.attachments![0]!.name, type), contentType: type, bytes }],
      page: msg.page,
      receivedAt: AT,
      noAgentsOnline: true,
    });
    expect(rest).toHaveLength(0);
    expect(m).toEqual({
      channel: 'webchat',
      externalId: 'v_abc123:m_8f3kq2hz0',
      from: { address: 'v_abc123', kind: 'webchat', name: 'Li Wei' },
      identities: [{ kind: 'email', value: 'li.wei@example.org' }],
      to: [],
      text: 'The bag arrived torn, see photo',
      attachments: [{ name: 'IMG_0042.PNG', contentType: 'image/png', size: bytes.length, contentBase64: bytes.toString('base64') }],
      threadRefs: ['chat:v_abc123'],
      receivedAt: AT,
      chosenType: 'complaint',
      metadata: {
        visitorId: 'v_abc123',
        clientMessageId: 'm_8f3kq2hz0',
        page: 'https://shop.example/orders/8812',
        replyEmail: 'li.wei@example.org',
        agentsOnline: '0',
        replyByEmail: 'true',
      },
    });
  });

  test('a question from a verified user maps to care and carries the external identity', () => {
    const [m] = normalizeChatMessage({
      visitorId: 'v_q',
      clientId: 'm_question1',
      text: 'How do I change my address?',
      profile: { name: 'Zhao', topic: 'question' },
      attachments: [],
      page: undefined,
      receivedAt: AT,
      noAgentsOnline: false,
      verifiedUserId: 'user-991',
    });
    expect(m).toMatchObject({ chosenType: 'care', identities: [{ kind: 'external', value: 'user-991' }], metadata: { verifiedUserId: 'user-991' } });
    expect(m!.metadata).not.toHaveProperty('agentsOnline');
  });
});

describe('feed page normalize', () => {
  const PAGE = `{
    "cursor": "2026-03-02T08:00:00Z#41",
    "messages": [
      { "externalId": "fax-1187", "channel": "fax", "from": { "address": "+861012345678" }, "text": "Please cancel order 77." },
      { "externalId": "note-3", "from": { "address": "ops@example.com" }, "text": "Callback requested", "receivedAt": "2026-03-02T07:59:00Z" }
    ]
  }`;

  test('a page becomes its messages (the default channel where none is named) and the next cursor', () => {
    const page = parseFeedPage(JSON.parse(PAGE), { channel: 'api', receivedAt: AT });
    expect(page.cursor).toBe('2026-03-02T08:00:00Z#41');
    expect(page.messages.map((m) => [m.channel, m.externalId, m.receivedAt.toISOString()])).toEqual([
      ['fax', 'fax-1187', AT.toISOString()],
      ['api', 'note-3', '2026-03-02T07:59:00.000Z'],
    ]);
  });

  test('an invalid message is named by its position; a page without messages is refused', () => {
    const bad = JSON.parse(PAGE);
    bad.messages[1].from = { address: '' };
    expect(fieldsOf(() => parseFeedPage(bad, { channel: 'api', receivedAt: AT }))).toEqual(['messages.1.from.address']);
    expect(fieldsOf(() => parseFeedPage({ cursor: 'x' }, { channel: 'api', receivedAt: AT }))).toEqual(['messages']);
  });
});
