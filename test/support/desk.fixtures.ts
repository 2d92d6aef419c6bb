import type { Hub } from '../../src/main';
import { request, startTestHub, TEST_ADMIN, type JsonResponse, type TestHubEnv } from './hub';

/** Helpers for tests of the agent API: users, sign-in, tickets through the inbound API. */

export type TestHub = Hub & { env: TestHubEnv };
export type Body = Record<string, unknown>;

export interface SignedIn {
  id: string;
  email: string;
  name: string;
  token: string;
  password: string;
}

export interface TicketSummary {
  id: string;
  number: number;
  type: string;
  status: string;
  priority: string;
  channel: string;
  subject: string;
  tags: string[];
  assignee: { id: string; name: string } | null;
  team: { id: string; name: string } | null;
  contact: { id: string; name: string };
  classification: { source: string; confidence: number };
  firstResponseAt: string | null;
  lastAgentMessageAt: string | null;
  mergedInto: string | null;
  createdAt: string;
  updatedAt: string;
  sla: { firstResponseDueAt: string | null; nextResponseDueAt: string | null; resolutionDueAt: string | null };
  failedReplies: number;
  csat: { score: number; comment: string; at: string; channel: string } | null;
  complaint: { cause: string; action: string; at: string } | null;
  suggestion: { stage: string; reason: string; duplicateOf: string | null; at: string | null } | null;
}

export interface MessageDto {
  id: string;
  ticketId: string;
  direction: 'inbound' | 'outbound' | 'note';
  channel: string;
  from: { address: string; name: string };
  to: Array<{ address: string; name: string }>;
  text: string;
  deliveryStatus: string | null;
  deliveryError: string | null;
  deliveryErrorCode: string | null;
  author: { id: string; name: string } | null;
  attachments: Array<{ name: string; contentType: string; size: number; url: string }>;
  createdAt: string;
}

export interface TimelineEvent {
  id: string;
  actor: { kind: string; id: string | null; name: string };
  action: string;
  from: string | null;
  to: string | null;
  detail: string;
  code: string;
  params: Record<string, string>;
  at: string;
}

export interface ContactDto {
  id: string;
  name: string;
  identities: Array<{ kind: string; value: string }>;
  tags: string[];
  tier: string | null;
  language: string;
  mergedInto: string | null;
}

/** A canned response as the API answers it. */
export interface CannedDto {
  id: string;
  shortcut: string;
  title: string;
  text: string;
  locale: string;
}

export interface TicketDetail {
  ticket: TicketSummary;
  messages: MessageDto[];
  timeline: TimelineEvent[];
  contact: ContactDto;
  canReply: boolean;
  replyChannel: string | null;
  replyBlockedReason: 'channel_cannot_send' | 'ticket_closed' | null;
}

/** A call to the hub's API as `token` (null: no credentials at all). */
export function api<T = Body>(hub: TestHub, token: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
  return request<T>(`${hub.url}/api/v1${path}`, { method, body, apiKey: token, headers });
}

export async function signIn(hub: TestHub, email: string, password: string): Promise<string> {
  const res = await api<{ token: string }>(hub, null, 'POST', '/auth/login', { email, password });
  if (res.status !== 200) throw new Error(`sign-in of ${email} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.token;
}

export async function signInAdmin(hub: TestHub): Promise<SignedIn> {
  const token = await signIn(hub, TEST_ADMIN.email, TEST_ADMIN.password);
  const me = await api<{ id: string; name: string }>(hub, token, 'GET', '/me');
  return { id: me.body.id, email: TEST_ADMIN.email, name: me.body.name, token, password: TEST_ADMIN.password };
}

export async function teamId(hub: TestHub, admin: SignedIn, name: string): Promise<string> {
  const list = await api<{ items: Array<{ id: string; name: string }> }>(hub, admin.token, 'GET', '/teams');
  const found = list.body.items.find((t) => t.name === name);
  if (found) return found.id;
  const created = await api<{ id: string }>(hub, admin.token, 'POST', '/teams', { name });
  if (created.status !== 201) throw new Error(`team ${name}: ${created.status}`);
  return created.body.id;
}

let seq = 0;
/** Creates a user through the admin API and signs them in. */
export async function createUser(
  hub: TestHub,
  admin: SignedIn,
  role: 'agent' | 'supervisor' | 'admin',
  teams: string[],
  name?: string,
  /** Further user fields (maxConcurrent, skills, languages, …). */
  extra: Body = {},
): Promise<SignedIn> {
  seq += 1;
  const email = `${role}.${seq}.${Date.now().toString(36)}@test.example`;
  const password = `pass-${role}-${seq}-secret`;
  const res = await api<{ id: string; name: string }>(hub, admin.token, 'POST', '/users', { email, password, name: name ?? `${role} ${seq}`, role, teams, ...extra });
  if (res.status !== 201) throw new Error(`create user: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, email, name: res.body.name, token: await signIn(hub, email, password), password };
}

/** A hub whose default team is Front, with a second team Back, and its signed-in admin. */
export async function startDeskHub(tag: string): Promise<{ hub: TestHub; admin: SignedIn; front: string; back: string }> {
  const hub = await startTestHub(tag, { DEFAULT_TEAM: 'Front' });
  const admin = await signInAdmin(hub);
  return { hub, admin, front: await teamId(hub, admin, 'Front'), back: await teamId(hub, admin, 'Back') };
}

/** Sets a user's routing status through the API (as the console's switch does). */
export async function setPresence(hub: TestHub, user: Pick<SignedIn, 'token'>, status: 'online' | 'away' | 'offline'): Promise<void> {
  const res = await api(hub, user.token, 'PUT', '/me/presence', { status });
  if (res.status !== 200) throw new Error(`presence ${status}: ${res.status} ${JSON.stringify(res.body)}`);
}

let ext = 0;
/** A customer message through the inbound API channel; answers the stored ids. */
export async function inbound(hub: TestHub, fields: Body = {}): Promise<{ messageId: string; ticketId: string }> {
  ext += 1;
  const res = await request<{ messageId: string; ticketId: string }>(`${hub.url}/api/v1/inbound`, {
    body: { externalId: `ext-${process.pid}-${Date.now().toString(36)}-${ext}`, from: { address: `customer-${ext}@example.org`, name: `Customer ${ext}` }, text: 'Hello, I need help with my order.', ...fields },
  });
  if (res.status !== 201) throw new Error(`inbound: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function detail(hub: TestHub, token: string, ticketId: string): Promise<TicketDetail> {
  const res = await api<TicketDetail>(hub, token, 'GET', `/tickets/${ticketId}`);
  if (res.status !== 200) throw new Error(`detail ${ticketId}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
