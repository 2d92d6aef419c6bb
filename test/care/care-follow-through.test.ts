/**
 * Complaint follow-through and the suggestion lifecycle: resolving a complaint needs its cause
 * (400 at the field otherwise) and records what was done; one care follow-up ticket to the same
 * contact opens on the scheduled day, once, however often the complaint is resolved. Suggestions
 * move through under_review → accepted → planned → shipped (or declined with a reason), can be
 * linked as duplicates, and shipping tells every customer once, through their channel (here email,
 * at the SMTP sink), recorded on every ticket.
 */
import { api, createUser, detail, inbound, signInAdmin, teamId, type SignedIn, type TestHub } from '../support/desk.fixtures';
import { startTestHub } from '../support/hub';
import { until } from '../support/process';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';

let smtp: TestSmtpServer;
let hub: TestHub;
let admin: SignedIn;

beforeAll(async () => {
  smtp = await startSmtpServer();
  hub = await startTestHub('care-follow-through', { SMTP_URL: smtp.url, OUTBOUND_RETRY_BASE_MS: '50' });
  admin = await signInAdmin(hub);
});
afterAll(async () => {
  await hub?.stop();
  await smtp?.close();
});

const patch = (id: string, body: Record<string, unknown>) => api<{ errors?: Array<{ field: string; code?: string }>; complaint?: unknown }>(hub, admin.token, 'PATCH', `/tickets/${id}`, body);

test('a complaint is resolved only with a listed cause; one care follow-up opens on the scheduled day, once', async () => {
  // About two seconds ahead (a fraction of a day) instead of a week.
  const days = 2 / 86_400;
  const put = await api(hub, admin.token, 'PUT', '/settings/complaints', { causes: ['delivery', 'billing', 'other'], followUpDays: days });
  expect(put.status).toBe(200);
  const agent = await createUser(hub, admin, 'agent', [await teamId(hub, admin, 'Support')]);
  expect((await api<{ causes: string[] }>(hub, agent.token, 'GET', '/settings/complaints')).body.causes).toEqual(['delivery', 'billing', 'other']);
  expect((await api(hub, agent.token, 'PUT', '/settings/complaints', { causes: ['x'], followUpDays: 1 })).status).toBe(403);

  const { ticketId } = await inbound(hub, { from: { address: 'carol.complaint@example.org', name: 'Carol' }, subject: 'Parcel damaged', text: 'The parcel arrived crushed.', chosenType: 'complaint' });
  const missing = await patch(ticketId, { status: 'resolved' });
  expect(missing.status).toBe(400);
  expect(missing.headers.get('content-type')).toContain('application/problem+json');
  expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'cause', code: 'required' })]);
  const unknown = await patch(ticketId, { status: 'resolved', cause: 'weather' });
  expect(unknown.status).toBe(400);
  expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'cause', code: 'invalid_choice' })]);
  // Refused: still open for work, nothing recorded.
  expect((await detail(hub, admin.token, ticketId)).ticket).toMatchObject({ status: 'new', complaint: null });

  const ok = await patch(ticketId, { status: 'resolved', cause: 'delivery', actionTaken: 'Sent a replacement and refunded the shipping' });
  expect(ok.status).toBe(200);
  expect(ok.body.complaint).toMatchObject({ cause: 'delivery', action: 'Sent a replacement and refunded the shipping' });
  const d = await detail(hub, admin.token, ticketId);
  expect(d.timeline.find((e) => e.code === 'complaint.resolved_action')).toMatchObject({ params: { cause: 'delivery' } });
  const scheduled = d.timeline.filter((e) => e.code === 'complaint.follow_up_scheduled');
  expect(scheduled).toHaveLength(1);
  const due = new Date(scheduled[0]!.params.due!).getTime();

  // Reopened and resolved again: still one follow-up scheduled.
  expect((await patch(ticketId, { status: 'open', assignee: admin.id })).status).toBe(200);
  expect((await patch(ticketId, { status: 'resolved', cause: 'billing' })).status).toBe(200);

  const followUp = await until(() => hub.models.Ticket.find({ previousTicket: ticketId, type: 'care' }).lean(), (l) => l.length > 0, 30_000);
  expect(followUp).toHaveLength(1);
  const f = followUp[0]!;
  // Opened on the scheduled day (not before), to the same customer, about the complaint.
  expect(f.createdAt.getTime()).toBeGreaterThanOrEqual(due - 50);
  expect(f.contact.toString()).toBe(d.contact.id);
  expect(f.subject).toContain(`Follow-up on complaint #${d.ticket.number}`);
  const after = await detail(hub, admin.token, ticketId);
  expect(after.timeline.filter((e) => e.code === 'complaint.follow_up_scheduled')).toHaveLength(1);
  expect(after.timeline.find((e) => e.code === 'complaint.follow_up_opened')).toMatchObject({ params: { number: String(f.number) } });
  expect((await detail(hub, admin.token, f._id.toString())).timeline.some((e) => e.code === 'complaint.follow_up_for')).toBe(true);
});

test('a shipped suggestion tells each linked customer once, through their channel, on every ticket', async () => {
  const ann = 'ann.idea@example.org';
  const ben = 'ben.idea@example.org';
  const idea = (from: string, text: string) => inbound(hub, { channel: 'email', from: { address: from }, subject: 'Dark mode', text, chosenType: 'suggestion' });
  const original = await idea(ann, 'Please add a dark mode to the app.');
  const fromBen = await idea(ben, 'A dark theme would be great.');
  const annAgain = await idea(ann, 'Any news on dark mode? It would help at night.');
  const suggestion = (id: string, body: Record<string, unknown>) => api<{ errors?: Array<{ field: string }>; suggestion?: { stage: string; duplicateOf: string | null } }>(hub, admin.token, 'POST', `/tickets/${id}/suggestion`, body);

  for (const dup of [fromBen, annAgain]) {
    const linked = await api<{ suggestion: { duplicateOf: string } }>(hub, admin.token, 'PUT', `/tickets/${dup.ticketId}/suggestion/duplicate-of`, { of: original.ticketId });
    expect(linked.status).toBe(200);
    expect(linked.body.suggestion.duplicateOf).toBe(original.ticketId);
  }
  // The stage belongs to the original; the machine refuses skipped steps and a decline without a reason.
  expect((await suggestion(fromBen.ticketId, { stage: 'accepted' })).status).toBe(409);
  expect((await suggestion(original.ticketId, { stage: 'shipped' })).status).toBe(409);
  const noReason = await suggestion(original.ticketId, { stage: 'declined' });
  expect(noReason.status).toBe(400);
  expect(noReason.body.errors?.map((e) => e.field)).toEqual(['reason']);
  const complaint = await inbound(hub, { subject: 'Rude', text: 'Your agent was rude.', chosenType: 'complaint' });
  expect((await suggestion(complaint.ticketId, { stage: 'accepted' })).status).toBe(409);

  expect((await suggestion(original.ticketId, { stage: 'accepted' })).body.suggestion?.stage).toBe('accepted');
  expect((await suggestion(original.ticketId, { stage: 'planned' })).body.suggestion?.stage).toBe('planned');
  expect((await suggestion(original.ticketId, { stage: 'shipped' })).body.suggestion?.stage).toBe('shipped');
  // Shipped is final: shipping again changes nothing and tells nobody again.
  expect((await suggestion(original.ticketId, { stage: 'shipped' })).status).toBe(409);

  const [toAnn, toBen] = await Promise.all([smtp.waitFor(ann), smtp.waitFor(ben)]);
  expect(toAnn.mail.text).toContain('has been implemented');
  expect(toBen.mail.text).toContain('has been implemented');
  // One message per customer: Ann, who suggested it twice, is told once.
  const notices = await hub.models.Message.find({ direction: 'outbound', 'metadata.value': 'suggestion_shipped' }).lean();
  expect(notices.map((m) => m.to[0]!.address).sort()).toEqual([ann, ben]);
  await until(() => hub.models.Message.find({ _id: { $in: notices.map((m) => m._id) } }).lean(), (l) => l.every((m) => m.deliveryStatus === 'sent'), 15_000);

  const codes = async (id: string) => (await detail(hub, admin.token, id)).timeline.map((e) => e.code);
  expect(await codes(original.ticketId)).toEqual(expect.arrayContaining(['suggestion.stage', 'suggestion.duplicate_added', 'suggestion.notified']));
  expect(await codes(fromBen.ticketId)).toEqual(expect.arrayContaining(['suggestion.duplicate_of', 'suggestion.notified']));
  expect(await codes(annAgain.ticketId)).toEqual(expect.arrayContaining(['suggestion.duplicate_of', 'suggestion.notified_elsewhere']));
});

test("a suggestion lists its duplicates and its original; unlinking takes it off the list; others' tickets stay hidden", async () => {
  const idea = (from: string) => inbound(hub, { from: { address: from }, subject: 'Gift wrapping', text: 'Could you offer gift wrapping?', chosenType: 'suggestion' });
  const original = await idea('gia.wrap@example.org');
  const a = await idea('hal.wrap@example.org');
  const b = await idea('ida.wrap@example.org');
  type Links = { original: { id: string; number: number } | null; duplicates: Array<{ id: string; number: number; contact: { name: string } }>; total: number };
  const links = (token: string, id: string) => api<Links & { errors?: Array<{ field: string; code?: string }> }>(hub, token, 'GET', `/tickets/${id}/suggestion/duplicates`);
  const link = (id: string, of: string | null) => api(hub, admin.token, 'PUT', `/tickets/${id}/suggestion/duplicate-of`, { of });

  expect((await links(admin.token, original.ticketId)).body).toEqual({ original: null, duplicates: [], total: 0 });
  expect((await link(a.ticketId, original.ticketId)).status).toBe(200);
  expect((await link(b.ticketId, original.ticketId)).status).toBe(200);
  const listed = await links(admin.token, original.ticketId);
  expect(listed.status).toBe(200);
  expect(listed.body.duplicates.map((d) => d.id)).toEqual([a.ticketId, b.ticketId]);
  expect(listed.body.total).toBe(2);
  const ofA = await links(admin.token, a.ticketId);
  expect(ofA.body.original?.id).toBe(original.ticketId);
  expect(ofA.body.duplicates).toEqual([]);

  // Unlinked: off the original's list, no original of its own.
  expect((await link(a.ticketId, null)).status).toBe(200);
  expect((await links(admin.token, original.ticketId)).body.duplicates.map((d) => d.id)).toEqual([b.ticketId]);
  expect((await links(admin.token, a.ticketId)).body.original).toBeNull();

  // A complaint has no suggestion links; an agent of another team does not see the tickets at all.
  const complaint = await inbound(hub, { subject: 'Late', text: 'Late again.', chosenType: 'complaint' });
  const notSuggestion = await links(admin.token, complaint.ticketId);
  expect(notSuggestion.status).toBe(409);
  expect(notSuggestion.body.errors).toEqual([expect.objectContaining({ field: 'type', code: 'not_suggestion' })]);
  const outsider = await createUser(hub, admin, 'agent', [await teamId(hub, admin, 'Elsewhere')]);
  expect((await links(outsider.token, original.ticketId)).status).toBe(404);
});

test("a follow-up's subject is in the customer's language", async () => {
  expect((await api(hub, admin.token, 'PUT', '/settings/complaints', { causes: ['delivery'], followUpDays: 1 / 86_400 })).status).toBe(200);
  const { ticketId } = await inbound(hub, { from: { address: 'wang.li@example.cn', name: '王丽' }, subject: '包裹破损', text: '我收到的包裹被压坏了，请尽快处理。', chosenType: 'complaint' });
  const number = (await detail(hub, admin.token, ticketId)).ticket.number;
  expect((await patch(ticketId, { status: 'resolved', cause: 'delivery' })).status).toBe(200);
  const [f] = await until(() => hub.models.Ticket.find({ previousTicket: ticketId, type: 'care' }).lean(), (l) => l.length > 0, 30_000);
  expect(f!.language).toMatch(/^zh/);
  expect(f!.subject).toBe(`投诉 #${number} 的回访：包裹破损`);
});
