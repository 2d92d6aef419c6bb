import {
  api,
  createUser,
  detail,
  inbound,
  startDeskHub,
  type ContactDto,
  type SignedIn,
  type TestHub,
  type TicketSummary,
} from '../support/desk.fixtures';

let hub: TestHub;
let admin: SignedIn;
let agent: SignedIn;
let supervisor: SignedIn;
let front: string;
let back: string;

beforeAll(async () => {
  ({ hub, admin, front, back } = await startDeskHub('contacts'));
  agent = await createUser(hub, admin, 'agent', [front], 'Agent Ann');
  supervisor = await createUser(hub, admin, 'supervisor', [front], 'Super Sam');
});
afterAll(async () => {
  await hub.stop();
});

const uniq = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
type ContactDetail = { contact: ContactDto; tickets: TicketSummary[] };

describe('contacts', () => {
  test('search by name or any identity value; merged profiles are not listed; cursor pages', async () => {
    const u = uniq();
    await inbound(hub, { channel: 'email', externalId: `<${u}-1@m>`, from: { address: `wei.${u}@example.cn`, name: `Wei ${u}` }, text: 'hi' });
    await inbound(hub, { channel: 'sms', externalId: `SM${u}`, from: { address: '+86 139 0000 1111', name: 'Phone Person' }, text: 'hi' });

    const byName = await api<{ items: ContactDto[] }>(hub, agent.token, 'GET', `/contacts?q=${encodeURIComponent(`wei ${u}`)}`);
    expect(byName.status).toBe(200);
    expect(byName.body.items.map((c) => c.name)).toEqual([`Wei ${u}`]);
    const byEmail = await api<{ items: ContactDto[] }>(hub, agent.token, 'GET', `/contacts?q=${encodeURIComponent(`WEI.${u}@EXAMPLE`)}`);
    expect(byEmail.body.items.map((c) => c.identities)).toEqual([[{ kind: 'email', value: `wei.${u}@example.cn` }]]);
    const byPhone = await api<{ items: ContactDto[] }>(hub, agent.token, 'GET', `/contacts?q=${encodeURIComponent('+8613900001111')}`);
    expect(byPhone.body.items.map((c) => c.name)).toContain('Phone Person');

    const all: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 50; i++) {
      const page: { status: number; body: { items: ContactDto[]; nextCursor: string | null } } = await api(hub, agent.token, 'GET', `/contacts?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      all.push(...page.body.items.map((c) => c.id));
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(await hub.models.Contact.countDocuments({ mergedInto: null }));
  });

  test('detail lists every ticket of the customer across channels, but only the ones the caller may see', async () => {
    const u = uniq();
    const email = await inbound(hub, { channel: 'email', externalId: `<${u}@m>`, from: { address: `${u}@example.org`, name: 'Multi Channel' }, identities: [{ kind: 'phone', value: '+15550001' + u.length }], text: 'by email' });
    const sms = await inbound(hub, { channel: 'sms', externalId: `SM-${u}`, from: { address: '+15550001' + u.length }, text: 'by sms' });
    const hidden = await inbound(hub, { channel: 'email', externalId: `<${u}-2@m>`, from: { address: `${u}@example.org` }, text: 'other team' });
    expect((await api(hub, admin.token, 'PATCH', `/tickets/${hidden.ticketId}`, { team: back })).status).toBe(200);
    const contactId = (await detail(hub, admin.token, email.ticketId)).contact.id;

    const asAdmin = await api<ContactDetail>(hub, admin.token, 'GET', `/contacts/${contactId}`);
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.tickets.map((t) => t.id).sort()).toEqual([email.ticketId, sms.ticketId, hidden.ticketId].sort());
    expect(asAdmin.body.tickets.map((t) => t.channel).sort()).toEqual(['email', 'email', 'sms']);
    const asAgent = await api<ContactDetail>(hub, agent.token, 'GET', `/contacts/${contactId}`);
    expect(asAgent.body.tickets.map((t) => t.id).sort()).toEqual([email.ticketId, sms.ticketId].sort());
    expect((await api(hub, agent.token, 'GET', '/contacts/000000000000000000000000')).status).toBe(404);
  });

  test('edit name, tags, tier and language', async () => {
    const { ticketId } = await inbound(hub);
    const id = (await detail(hub, agent.token, ticketId)).contact.id;
    // An agent may not set a tier override: refused, with the field at fault, and nothing changes.
    const refused = await api<{ code: string; errors: { field: string; code: string }[] }>(hub, agent.token, 'PATCH', `/contacts/${id}`, { name: 'Agent rename', tier: 'gold' });
    expect(refused.status).toBe(403);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'tier', code: 'tier_override_forbidden' })]);
    expect((await api<ContactDto>(hub, agent.token, 'PATCH', `/contacts/${id}`, { tags: ['new'] })).body).toMatchObject({ tier: null, tags: ['new'] });
    expect((await api(hub, agent.token, 'PATCH', `/contacts/${id}`, { tier: null })).status).toBe(403);
    const res = await api<ContactDto>(hub, supervisor.token, 'PATCH', `/contacts/${id}`, { name: 'Renamed', tags: ['vip', 'vip', 'b2b'], tier: 'gold', language: 'zh' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Renamed', tags: ['vip', 'b2b'], tier: 'gold', language: 'zh' });
    expect((await api<ContactDto>(hub, admin.token, 'PATCH', `/contacts/${id}`, { tier: null })).body.tier).toBeNull();
    expect((await api(hub, supervisor.token, 'PATCH', `/contacts/${id}`, { tier: 'diamond' })).status).toBe(422);
    expect((await detail(hub, agent.token, ticketId)).ticket.contact.name).toBe('Renamed');
  });
});

describe('merging contacts', () => {
  test('identities, tickets, messages and threads move to the survivor; the merge is recorded; new messages from either old identity land on the survivor', async () => {
    const u = uniq();
    const emailAddr = `lin.${u}@example.com`;
    const phone = `+1555${Date.now().toString().slice(-7)}`;
    const e1 = await inbound(hub, { channel: 'email', externalId: `<${u}-a@m>`, from: { address: emailAddr, name: 'Lin' }, text: 'Order question by email' });
    const s1 = await inbound(hub, { channel: 'sms', externalId: `SM${u}a`, from: { address: phone, name: 'Lin Mobile' }, text: 'Order question by sms' });
    const survivorId = (await detail(hub, admin.token, e1.ticketId)).contact.id;
    const sourceId = (await detail(hub, admin.token, s1.ticketId)).contact.id;
    expect(survivorId).not.toBe(sourceId);

    // Agents may not merge (403); supervisors may.
    expect((await api(hub, agent.token, 'POST', `/contacts/${survivorId}/merge`, { sourceContactId: sourceId })).status).toBe(403);
    const res = await api<ContactDto>(hub, supervisor.token, 'POST', `/contacts/${survivorId}/merge`, { sourceContactId: sourceId });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(survivorId);
    expect(res.body.identities).toEqual(expect.arrayContaining([{ kind: 'email', value: emailAddr }, { kind: 'phone', value: phone }]));

    // Every ticket, message and identity index entry belongs to the survivor now.
    expect(await hub.models.Ticket.countDocuments({ contact: sourceId })).toBe(0);
    expect((await hub.models.Ticket.find({ _id: { $in: [e1.ticketId, s1.ticketId] } }).lean()).map((t) => t.contact.toString())).toEqual([survivorId, survivorId]);
    expect(await hub.models.Message.countDocuments({ contact: sourceId })).toBe(0);
    expect((await hub.models.Identity.findById(`email:${emailAddr}`).lean())?.contact.toString()).toBe(survivorId);
    expect((await hub.models.Identity.findById(`phone:${phone}`).lean())?.contact.toString()).toBe(survivorId);
    expect(await hub.models.ThreadKey.countDocuments({ contact: sourceId })).toBe(0);

    const source = await hub.models.Contact.findById(sourceId).lean();
    expect(source?.mergedInto?.toString()).toBe(survivorId);
    const survivor = await hub.models.Contact.findById(survivorId).lean();
    expect(survivor?.merges).toHaveLength(1);
    expect(survivor?.merges[0]).toMatchObject({ tickets: 1, actor: { kind: 'user', id: supervisor.id } });
    expect(survivor?.merges[0]?.contact.toString()).toBe(sourceId);
    const moved = await detail(hub, admin.token, s1.ticketId);
    expect(moved.timeline.find((e) => e.action === 'contact_merged')).toMatchObject({ from: sourceId, to: survivorId, actor: { id: supervisor.id } });
    const listed = await api<ContactDetail>(hub, admin.token, 'GET', `/contacts/${survivorId}`);
    expect(listed.body.tickets.map((t) => t.id).sort()).toEqual([e1.ticketId, s1.ticketId].sort());
    const gone = await api<{ items: ContactDto[] }>(hub, admin.token, 'GET', `/contacts?q=${encodeURIComponent('Lin Mobile')}`);
    expect(gone.body.items.map((c) => c.id)).not.toContain(sourceId);

    // New messages from either old identity land on the survivor.
    const s2 = await inbound(hub, { channel: 'sms', externalId: `SM${u}b`, from: { address: phone }, text: 'New sms after the merge' });
    const e2 = await inbound(hub, { channel: 'email', externalId: `<${u}-b@m>`, from: { address: emailAddr }, text: 'New email after the merge' });
    for (const m of [s2, e2]) {
      expect((await hub.models.Message.findById(m.messageId).lean())?.contact?.toString()).toBe(survivorId);
      expect((await hub.models.Ticket.findById(m.ticketId).lean())?.contact.toString()).toBe(survivorId);
    }
    // A reply in the source's old thread still continues its ticket.
    const threaded = await inbound(hub, { channel: 'sms', externalId: `SM${u}c`, from: { address: phone }, text: 'Re: my question', threadRefs: [`SM${u}a`] });
    expect(threaded.ticketId).toBe(s1.ticketId);

    // Merging again is harmless; merging into a merged contact is refused.
    const again = await api<ContactDto>(hub, supervisor.token, 'POST', `/contacts/${survivorId}/merge`, { sourceContactId: sourceId });
    expect(again.status).toBe(200);
    expect((await hub.models.Contact.findById(survivorId).lean())?.merges).toHaveLength(1);
    expect((await api(hub, supervisor.token, 'POST', `/contacts/${sourceId}/merge`, { sourceContactId: survivorId })).status).toBe(409);
    expect((await api(hub, supervisor.token, 'POST', `/contacts/${survivorId}/merge`, { sourceContactId: survivorId })).status).toBe(422);
  });
});
