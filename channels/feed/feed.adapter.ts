import { z } from 'zod';
import {
  ChannelIdSchema,
  ChannelRequestError,
  InboundMessageSchema,
  type ChannelAdapter,
  type ChannelContext,
  type ChannelKind,
  type InboundMessage,
} from '../contract';

/**
 * The JSON feed channel: the hub polls an integrator's HTTP endpoint for new messages
 * (a system that cannot call webhooks: a legacy CRM, a fax server's export). One channel
 * instance per feed.
 *
 *   GET <url>?cursor=<cursor>        (no cursor the first time)
 *   Authorization: Bearer <token>    (when the instance has one)
 *   → 200 { "messages": [ <InboundMessage as POST /api/v1/inbound takes it>, … ], "cursor": "<next>" }
 *
 * The cursor is kept in the hub's checkpoint store and moved only once every message of the
 * page is durably accepted; a failed poll leaves it, so the next poll asks again from the
 * same place (messages seen twice are duplicates by their externalId, stored once).
 */
export const FeedSettingsSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  /** How often the feed is polled. */
  intervalMs: z.number().int().min(100).max(86_400_000).default(60_000),
  /** The channel of messages that do not name one. */
  channel: ChannelIdSchema.default('api'),
  /** Per-request timeout. */
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
});
export type FeedSettings = z.infer<typeof FeedSettingsSchema>;

export const FeedSecretsSchema = z.object({
  /** Sent as `Authorization: Bearer <token>`. */
  token: z.string().min(1).max(2000).optional(),
});

export interface FeedPage {
  messages: InboundMessage[];
  /** Where the next poll continues; null: the feed gave none (the checkpoint stays). */
  cursor: string | null;
}

/**
 * One feed page (parsed JSON) → its messages and next cursor. Pure. Throws
 * {@link ChannelRequestError} naming every invalid field (`messages.2.from`, …).
 */
export function parseFeedPage(body: unknown, defaults: { channel: FeedSettings['channel']; receivedAt: Date }): FeedPage {
  const page = z
    .object({ messages: z.array(z.looseObject({})).max(1000), cursor: z.string().max(2000).nullable().optional() })
    .safeParse(body);
  if (!page.success) {
    const errors = page.error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message, code: i.code }));
    throw new ChannelRequestError(422, 'Invalid feed page', 'The feed page is not { messages: [...], cursor }.', errors);
  }
  const messages: InboundMessage[] = [];
  const errors: Array<{ field: string; message: string }> = [];
  page.data.messages.forEach((raw, n) => {
    const m = InboundMessageSchema.safeParse({ channel: defaults.channel, receivedAt: defaults.receivedAt.toISOString(), ...raw });
    if (m.success) messages.push(m.data);
    else errors.push(...m.error.issues.map((i) => ({ field: ['messages', n, ...i.path].map(String).join('.'), message: i.message, code: i.code })));
  });
  if (errors.length > 0) throw new ChannelRequestError(422, 'Invalid feed page', `The feed page has ${errors.length} invalid field(s).`, errors);
  return { messages, cursor: page.data.cursor ?? null };
}

const describe = (err: unknown): string => (err instanceof ChannelRequestError ? `${err.message} ${err.errors.map((e) => e.field).join(', ')}`.trim() : err instanceof Error ? err.message : String(err));

export const feedKind: ChannelKind<FeedSettings, z.infer<typeof FeedSecretsSchema>> = {
  kind: 'feed',
  settings: FeedSettingsSchema,
  secrets: FeedSecretsSchema,
  create({ settings, secrets }): ChannelAdapter {
    async function poll(ctx: ChannelContext): Promise<void> {
      const cursor = await ctx.checkpoint.get('cursor');
      const url = new URL(settings.url);
      if (cursor !== null) url.searchParams.set('cursor', cursor);
      let page: FeedPage;
      try {
        const res = await fetch(url, {
          headers: { accept: 'application/json', 'user-agent': 'omnihub-feed/1', ...(secrets.token ? { authorization: `Bearer ${secrets.token}` } : {}) },
          redirect: 'error',
          signal: AbortSignal.timeout(settings.timeoutMs),
        });
        if (!res.ok) throw new Error(`the feed answered ${res.status}`);
        page = parseFeedPage(await res.json(), { channel: settings.channel, receivedAt: new Date() });
      } catch (err) {
        throw new Error(`feed ${url.origin}${url.pathname}: ${describe(err)}`, { cause: err });
      }
      // Durably enqueued is enough: storing happens in the workers, and a replay is a duplicate.
      for (const m of page.messages) await ctx.ingest(m, { wait: false });
      if (page.cursor !== null && page.cursor !== cursor) await ctx.checkpoint.set('cursor', page.cursor);
      ctx.reportHealth({ ok: true, synced: true });
    }

    return {
      id: settings.channel,
      normalize: (body: unknown) => parseFeedPage(body, { channel: settings.channel, receivedAt: new Date() }).messages,
      mount(ctx) {
        ctx.schedule('poll', settings.intervalMs, () => poll(ctx));
      },
    };
  },
};
