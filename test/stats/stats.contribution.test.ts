import { Types } from 'mongoose';
import { contributionOf, needsHistory, replySendTimes, type StatHistory } from '../../src/stats/stats.contribution';

const at = (min: number) => new Date(Date.UTC(2026, 11, 1, 9, min));

function ticket(over: Partial<Parameters<typeof contributionOf>[0]> = {}): Parameters<typeof contributionOf>[0] {
  return {
    _id: new Types.ObjectId(),
    type: 'complaint',
    status: 'new',
    priority: 'normal',
    channel: 'email',
    team: null,
    assignee: null,
    createdAt: at(0),
    acceptedAt: null,
    firstResponseAt: null,
    resolvedAt: null,
    mergedInto: null,
    sla: { firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null },
    ...over,
  };
}

const sent = (min: number, messageId: string, params: Record<string, string> = {}): StatHistory['events'][number] => ({
  action: 'delivery',
  from: 'queued',
  to: 'sent',
  at: at(min),
  params: { messageId, ...params },
});

const asObject = (c: ReturnType<typeof contributionOf>) => Object.fromEntries([...c].map(([k, v]) => [k, Object.fromEntries(v.counters)]));

test('a message the hub sent by itself (a satisfaction question) is no reply: it starts no next-response wait', () => {
  const events = [sent(5, 'csat-question', { notice: 'yes' }), sent(30, 'agent-reply')];
  expect(replySendTimes(events)).toEqual([at(30).getTime()]);
  // Customer writes after the question, before any agent reply: no next response is counted.
  const c = contributionOf(ticket({ firstResponseAt: at(30), status: 'open' }), { customerMessagesAt: [at(0), at(10)], events });
  expect(Object.values(asObject(c)).some((counters) => 'nrt_count' in counters)).toBe(false);
});

test("the history is read only where it can change the figures: answered or resolved tickets, not new, unanswered or merged ones", () => {
  expect(needsHistory(ticket())).toBe(false);
  expect(needsHistory(ticket({ status: 'open', assignee: new Types.ObjectId(), acceptedAt: at(2) }))).toBe(false);
  expect(needsHistory(ticket({ firstResponseAt: at(3), status: 'open' }))).toBe(true);
  expect(needsHistory(ticket({ resolvedAt: at(9), status: 'resolved' }))).toBe(true);
  // Reopened after a resolve without an answer: the last resolve no longer counts, nothing reads the history.
  expect(needsHistory(ticket({ resolvedAt: at(9), status: 'open' }))).toBe(false);
  expect(needsHistory(ticket({ firstResponseAt: at(3), mergedInto: new Types.ObjectId() }))).toBe(false);

  // Where it is not read, the history indeed adds nothing: the same buckets with or without it.
  const agent = new Types.ObjectId().toString();
  const history: StatHistory = {
    customerMessagesAt: [at(0), at(4), at(8)],
    events: [
      { action: 'assignee', from: null, to: agent, at: at(2), params: {} },
      { action: 'status', from: 'new', to: 'open', at: at(2), params: {} },
      sent(6, 'csat-question', { notice: 'yes' }),
      { action: 'delivery', from: 'queued', to: 'failed', at: at(7), params: { messageId: 'failed-reply' } },
    ],
  };
  for (const t of [ticket(), ticket({ status: 'open', assignee: new Types.ObjectId(agent), acceptedAt: at(2) }), ticket({ resolvedAt: at(9), status: 'open' })]) {
    expect(needsHistory(t)).toBe(false);
    expect(asObject(contributionOf(t, history))).toEqual(asObject(contributionOf(t)));
  }
});
