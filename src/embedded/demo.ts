import type { InboundMessageInput, IngestOutcome } from '../../channels/contract';
import type { UserService } from '../auth/user.service';

const DAY = 86_400_000;

/** Demo messages: every type, several channels and both languages. Fixed ids make seeding idempotent. */
function demoMessages(now: number): InboundMessageInput[] {
  const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
  return [
    {
      channel: 'email', externalId: '<demo-1@customer.example>', receivedAt: at(2),
      from: { address: 'li.na@customer.example', name: '李娜' },
      subject: '账单重复扣费', text: '我这个月的账单被重复扣费了两次，请尽快退款，已经打了三次电话都没人处理！',
    },
    {
      channel: 'sms', externalId: 'SMdemo0000000000000000000000000002', receivedAt: at(1),
      from: { address: '+8613800138000', name: '李娜' }, identities: [{ kind: 'email', value: 'li.na@customer.example' }],
      text: '你好，请问退款一般几天到账？',
    },
    {
      channel: 'webchat', externalId: 'demo-chat-3', receivedAt: at(0.5), threadRefs: ['demo-session-3'],
      from: { address: 'visitor-demo-3', name: 'Tom Baker' }, identities: [{ kind: 'email', value: 'tom@example.org' }],
      chosenType: 'suggestion', text: 'It would be great if the mobile app had a dark mode and let me export my invoices as PDF.',
    },
    {
      channel: 'api', externalId: 'demo-api-4', receivedAt: at(0.2),
      from: { address: 'crm-4711', name: 'Acme Corp purchasing', kind: 'external' },
      subject: 'Order 4711 arrived damaged', text: 'The pallet we received yesterday was damaged and two units are broken. This is the second time this month. Please send replacements urgently.',
    },
    {
      channel: 'email', externalId: '<demo-5@example.org>', receivedAt: at(0.1),
      from: { address: 'maria@example.org', name: 'Maria Garcia' },
      subject: 'How do I change my delivery address?', text: 'Hi, I moved last week. How can I update the delivery address on my account? Thanks!',
    },
    {
      channel: 'fax', externalId: 'FXdemo0006', receivedAt: at(0.05),
      from: { address: '+493012345678', name: 'Praxis Dr. Weber' },
      text: 'Wir schlagen vor, dass Sie Rechnungen zusätzlich per Fax senden. / We suggest you also send invoices by fax.', chosenType: 'suggestion',
    },
  ];
}

export interface SeedDeps {
  users: UserService;
  ingest(message: InboundMessageInput): Promise<IngestOutcome>;
}

/** A team, two agents and a few tickets of each type from different channels. */
export async function seedDemo(deps: SeedDeps, now = Date.now()): Promise<{ agents: string[]; password: string }> {
  const support = await deps.users.ensureTeam('Support', 'Front-line customer care / 一线客服');
  const password = 'demo-agent-pass';
  const agents = [
    { email: 'agent.zhang@example.com', name: '张伟', languages: ['zh', 'en'], skills: ['billing'] },
    { email: 'agent.smith@example.com', name: 'Alex Smith', languages: ['en'], skills: ['shipping'] },
  ];
  for (const a of agents) {
    await deps.users.ensureUser({ ...a, password, role: 'agent', teams: [support] });
  }
  await deps.users.ensureUser({
    email: 'supervisor@example.com', name: 'Sam Supervisor', password, role: 'supervisor', teams: [support], languages: ['en', 'zh'],
  });
  for (const m of demoMessages(now)) await deps.ingest(m);
  return { agents: agents.map((a) => a.email), password };
}
