/**
 * Configuration: environment variables → one frozen, typed object.
 * Imports nothing from the project. Every key is documented in .env.example and README.md.
 */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** True when this runtime knows `tz` as an IANA time zone. */
function isZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const ROLES = ['api', 'worker'] as const;

export const ConfigSchema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** The URL customers and agents reach the hub at; defaults to the listening address. */
  PUBLIC_URL: z.url().optional(),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  /** Prefix of every Redis key, queue and event channel this hub uses. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, '1 to 40 letters, digits, _ and -')
    .default('hub'),
  DATA_DIR: z.string().min(1).default('./data'),
  INBOUND_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  ADMIN_EMAIL: z.email().default('admin@example.com'),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Encrypts channel instances' secrets at rest (AES-256-GCM); every hub process must share it. */
  CHANNEL_SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How often channels that can check their provider (SMTP) are checked, for /readyz and /metrics. */
  CHANNEL_HEALTH_INTERVAL_MS: int(100, 86_400_000).default(60_000),
  ROLES: z
    .string()
    .default('api,worker')
    .transform((s) => s.split(',').map((r) => r.trim()).filter(Boolean))
    .pipe(z.array(z.enum(ROLES)).min(1)),
  SEED_DEMO: bool.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  INGEST_CONCURRENCY: int(1, 256).default(8),
  /** Received faxes one worker process reads at once (each OCR run takes a core). */
  FAX_READ_CONCURRENCY: int(1, 32).default(1),
  /** How long POST /api/v1/inbound waits for its message to be stored before answering 202. */
  INGEST_WAIT_TIMEOUT_MS: int(0, 120_000).default(10_000),
  /** A stalled ingest job (its worker died) is picked up again after this lock time. */
  JOB_LOCK_MS: int(1000, 600_000).default(30_000),
  /** A customer reply within this many hours of resolution reopens the ticket. */
  REOPEN_WINDOW_HOURS: int(0, 24 * 365).default(168),
  MAX_BODY_BYTES: int(1024, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  SHUTDOWN_GRACE_MS: int(0, 600_000).default(15_000),
  /** Tickets that no routing rule places go to this team (created at start if missing). */
  DEFAULT_TEAM: z.string().trim().min(1).max(100).default('Support'),
  SESSION_TTL_HOURS: int(1, 24 * 90).default(12),
  /** Failed logins allowed per account / per IP within the window before 429. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: int(1, 1000).default(5),
  LOGIN_MAX_FAILURES_PER_IP: int(1, 100_000).default(50),
  LOGIN_THROTTLE_WINDOW_SECONDS: int(1, 86_400).default(900),
  /** Requests per minute per IP on public endpoints (login, inbound, widget). */
  PUBLIC_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(600),
  /** Requests per minute per inbound API key (callers with the valid key are not counted per IP). */
  INBOUND_RATE_LIMIT_PER_MINUTE_PER_KEY: int(1, 100_000_000).default(60_000),
  /** Browser origins allowed to call the API with credentials (comma-separated). */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
  /** Where replies on API-channel tickets are POSTed, signed with API_WEBHOOK_SECRET. */
  API_WEBHOOK_URL: z.url().optional(),
  API_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Bearer token /metrics requires when set; unset: /metrics answers only loopback clients. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** host:port of a separate listener serving only /metrics; when set, the main port no longer serves it. */
  METRICS_LISTEN: z
    .string()
    .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port (e.g. 127.0.0.1:9464)')
    .refine((s) => Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535, 'the port must be 0 … 65535')
    .optional(),
  OUTBOUND_ATTEMPTS: int(1, 50).default(6),
  OUTBOUND_RETRY_BASE_MS: int(10, 3_600_000).default(2000),
  // ---------- email ----------
  /** Outgoing mail server (smtp://user:pass@host:587, smtps://… for TLS from the start); unset: no email is sent. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** The From address of email replies ("Support <support@example.com>"); default support@<PUBLIC_URL host>. */
  EMAIL_FROM: z.string().trim().min(3).max(320).optional(),
  /** Accept the SMTP server's certificate without checking it (self-signed test servers only). */
  SMTP_TLS_INSECURE: bool.default(false),
  /** How long an agent has to accept an offered chat before it goes to the next agent. */
  ROUTING_OFFER_TIMEOUT_MS: int(1000, 600_000).default(30_000),
  /** After an agent let an offer expire, how long before that ticket is offered to them again (0: at once). */
  ROUTING_MISSED_OFFER_COOLDOWN_MS: int(0, 3_600_000).default(45_000),
  /** Chats are offered with accept / decline (true) or assigned directly (false). */
  ROUTING_OFFER_CHATS: bool.default(true),
  /** Email, SMS, fax and API tickets are assigned directly (true) or offered (false). */
  ROUTING_AUTO_ACCEPT_ASYNC: bool.default(true),
  /** After an agent's last console disconnects, how long until they count as away. */
  ROUTING_DISCONNECT_GRACE_MS: int(0, 3_600_000).default(60_000),
  /** Whether an agent going offline also returns their open chats to the queue. */
  ROUTING_REQUEUE_OPEN_CHATS_ON_OFFLINE: bool.default(false),
  /** How often expired offers and ended grace periods are swept. */
  ROUTING_SWEEP_MS: int(50, 60_000).default(500),
  // ---------- web chat and realtime ----------
  /** The public key in the widget's `data-channel-key` attribute. */
  WEBCHAT_CHANNEL_KEY: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only').default('default'),
  /** Signs visitor tokens and attachment links; every hub process must share it. */
  WEBCHAT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Contact fields the pre-chat form asks for besides name and topic (comma-separated: email, phone). */
  WEBCHAT_PRECHAT_FIELDS: z
    .string()
    .default('email,phone')
    .transform((s) => s.split(',').map((f) => f.trim()).filter(Boolean))
    .pipe(z.array(z.enum(['email', 'phone']))),
  /** Which of those fields are required. */
  WEBCHAT_PRECHAT_REQUIRED: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((f) => f.trim()).filter(Boolean))
    .pipe(z.array(z.enum(['email', 'phone']))),
  /** Largest image or PDF a chat customer may attach. */
  WEBCHAT_MAX_ATTACHMENT_BYTES: int(1024, 50 * 1024 * 1024).default(5 * 1024 * 1024),
  /** Largest file an agent may attach to a reply (uploaded as base64 JSON: MAX_BODY_BYTES must hold 4/3 of it). */
  REPLY_MAX_ATTACHMENT_BYTES: int(1024, 25 * 1024 * 1024).default(5 * 1024 * 1024),
  /** Messages restored into the widget after a reload. */
  WEBCHAT_HISTORY_LIMIT: int(1, 1000).default(200),
  /** Host-page origins allowed to open chats (comma-separated); empty allows any site. */
  WEBCHAT_ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
  /** Email an agent's chat reply to a customer who has left the chat, when they gave an address. */
  WEBCHAT_EMAIL_OFFLINE_REPLIES: bool.default(true),
  /** HMAC-SHA256 key of identity verification: the host site signs its user ids with it (data-user-hash). */
  WEBCHAT_IDENTITY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Refuse chats without a verified identity (needs WEBCHAT_IDENTITY_SECRET). */
  WEBCHAT_IDENTITY_REQUIRED: bool.default(false),
  /** How long a dropped socket connection may come back and receive what it missed. */
  REALTIME_RECOVERY_SECONDS: int(0, 3600).default(120),
  // ---------- domain events (Redis stream) ----------
  /** This process's name among the hub processes (its consumer name in the event stream's groups); default: host-pid-random. */
  HUB_INSTANCE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1 to 64 letters, digits, _ . and -').optional(),
  /** The event stream is trimmed to about this many entries on every publish. */
  EVENT_STREAM_MAXLEN: int(100, 100_000_000).default(100_000),
  /** Events older than this are trimmed (0: never by age). */
  EVENT_STREAM_MAX_AGE_HOURS: int(0, 24 * 365).default(72),
  /** Events a stopped process held (read, not acknowledged) are taken over by another after this idle time. */
  EVENT_CLAIM_IDLE_MS: int(100, 3_600_000).default(60_000),
  /** A listener that failed on an event gets it again after this long. */
  EVENT_RETRY_DELAY_MS: int(10, 600_000).default(2000),
  /** Deliveries of one event to one listener before it goes to the dead letters (`<prefix>:events:dead`). */
  EVENT_MAX_DELIVERIES: int(1, 1000).default(5),
  // ---------- customer value ----------
  /** When the nightly value job runs (RFM, tiers, stages, segments, proactive care): a cron pattern (5 or 6 fields). */
  VALUE_RECOMPUTE_CRON: z
    .string()
    .trim()
    .regex(/^(\S+\s+){4,5}\S+$/, 'a cron pattern of 5 or 6 fields')
    .default('30 2 * * *'),
  /** Time zone of VALUE_RECOMPUTE_CRON (IANA name, e.g. Asia/Shanghai); default UTC. */
  VALUE_TIMEZONE: z.string().trim().refine(isZone, 'an IANA time zone name (e.g. Asia/Shanghai)')
    .default('UTC'),
  /**
   * Zones (IANA names, comma-separated) whose local days the statistics keep as ready sums in
   * Redis; UTC always is. Reports in another zone add up UTC hours instead.
   */
  STATS_ROLLUP_ZONES: z
    .string()
    .default('UTC,Asia/Shanghai')
    .transform((s) => s.split(',').map((z) => z.trim()).filter(Boolean))
    .refine((zones) => zones.every(isZone), 'IANA time zone names, comma-separated (e.g. UTC,Asia/Shanghai)'),
  /** Days the statistics keep their hourly sums in Redis (older hours are read from the buckets). */
  STATS_HOURLY_RETENTION_DAYS: int(2, 3660).default(92),
});

export type Config = Readonly<
  Omit<z.infer<typeof ConfigSchema>, 'ROLES' | 'CORS_ORIGINS' | 'WEBCHAT_PRECHAT_FIELDS' | 'WEBCHAT_PRECHAT_REQUIRED' | 'WEBCHAT_ALLOWED_ORIGINS' | 'STATS_ROLLUP_ZONES'> & {
    ROLES: ReadonlyArray<(typeof ROLES)[number]>;
    CORS_ORIGINS: readonly string[];
    WEBCHAT_PRECHAT_FIELDS: ReadonlyArray<'email' | 'phone'>;
    WEBCHAT_PRECHAT_REQUIRED: ReadonlyArray<'email' | 'phone'>;
    WEBCHAT_ALLOWED_ORIGINS: readonly string[];
    STATS_ROLLUP_ZONES: readonly string[];
  }
>;

export class ConfigError extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(`invalid configuration:\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.lines = lines;
  }
}

/** Parses the environment; throws {@link ConfigError} with one line per bad key. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(
    Object.keys(ConfigSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '(config)');
      const value = env[key];
      const shown = value === undefined ? '' : ` (got "${/SECRET|PASSWORD|KEY|TOKEN/.test(key) ? '***' : value}")`;
      return `config: ${key}: ${i.message}${shown}`;
    });
    throw new ConfigError(lines);
  }
  const c = parsed.data;
  if (c.WEBCHAT_IDENTITY_REQUIRED && !c.WEBCHAT_IDENTITY_SECRET) {
    throw new ConfigError(['config: WEBCHAT_IDENTITY_REQUIRED: needs WEBCHAT_IDENTITY_SECRET (the key host sites sign user ids with)']);
  }
  return Object.freeze({ ...c, PUBLIC_URL: c.PUBLIC_URL?.replace(/\/$/, '') });
}
