/**
 * Composition root: reads config, builds every service, starts the roles.
 * Nothing else in src/ constructs collaborators; they all arrive as parameters.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import os from 'node:os';
import type { Server } from 'node:http';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Router } from 'express';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import pino, { type Logger } from 'pino';
import { CHANNEL_KINDS, createChannels } from '../channels/registry';
import type { ChannelAdapter, ChannelId } from '../channels/contract';
import { defaultClassificationRules } from '../config/classification.rules';
import { ConfigError, loadConfig, type Config } from '../config/index';
import { createUserService } from './auth/user.service';
import { createTeamRemoval } from './auth/team-removal.service';
import { createChannelModels } from './channels/channel-instance.model';
import { createChannelInstanceService } from './channels/channel-instances.service';
import { createCheckpointStore } from './channels/channel-checkpoint.store';
import { createChannelHealthStore } from './channels/channel-health.store';
import { channelIngest } from './channels/channel-ingest';
import { createChannelCounters } from './channels/channel-counters';
import { createChannelRuntime, type ChannelRuntime } from './channels/channel-runtime';
import { createChannelScheduler } from './channels/channel-scheduler';
import { createSecretBox } from './channels/secret-box';
import { createVoiceAgents } from './channels/voice-agents';
import { createOptOutModel } from './contacts/opt-out.model';
import { createOptOutService } from './contacts/opt-out.service';
import { calendarOf } from './auth/team-calendar';
import { createClassifier } from './classify/classifier';
import { createContactDesk } from './contacts/contact-desk.service';
import { createContactService } from './contacts/contact.service';
import { createModels, type Models } from './db/models';
import { createDocumentLocks, useDocumentLocks } from './db/update-lock';
import { seedDemo } from './embedded/demo';
import { persistedSecret } from './embedded/secrets';
import { ferretdbBinary, startFerretDB, startRedis, type LocalService } from './embedded/services';
import { createRedisEventBus, type EventBus } from './events/event-bus';
import { createAuthService } from './auth/auth.service';
import { createHttpApp } from './http/app';
import { createAuthenticator } from './http/authenticate';
import { inboundKeyCaller, publicRateLimit } from './http/rate-limit';
import { createRouteTable } from './http/route';
import { registerAuthRoutes } from './http/routes/auth.routes';
import { createCannedResponseModel } from './canned/canned-response.model';
import { createCannedService } from './canned/canned.service';
import { registerCannedRoutes } from './http/routes/canned.routes';
import { registerChannelRoutes } from './http/routes/channels.routes';
import { createConsoleRouter } from './http/routes/console.routes';
import { createDocsRouter } from './http/routes/docs.routes';
import { documentInboundRoutes } from './http/routes/inbound.routes';
import { registerRoutingRoutes } from './http/routes/routing.routes';
import { registerUserRoutes } from './http/routes/users.routes';
import { registerContactRoutes } from './http/routes/contacts.routes';
import { registerTicketRoutes } from './http/routes/tickets.routes';
import { createMetricsApp, createOpsRouter, listenMetrics } from './http/ops.routes';
import { createDemoRouter } from './http/routes/demo.routes';
import { createIngestPipeline, type IngestResult } from './ingest/ingest.pipeline';
import { createIngestService, type IngestJobData, type IngestService } from './ingest/ingest.service';
import { createIngestWorker } from './ingest/ingest.worker';
import { createFaxIntake } from './documents/fax-intake';
import { QUEUES } from './jobs/queues';
import { createPresenceStore, createReadStateStore } from './realtime/presence.store';
import { createRealtime, type Realtime } from './realtime/realtime.server';
import { createMetrics } from './ops/metrics';
import { createLocalAttachmentStore } from './storage/attachment.storage';
import { createCallBackService } from './outbound/call-back.service';
import { createOutboundService, type OutboundJobData } from './outbound/outbound.service';
import { createOutboundWorker } from './outbound/outbound.worker';
import { createReplyAttachments } from './outbound/reply-attachments';
import { createAssignmentService } from './tickets/ticket-assignment.service';
import { createTicketDesk } from './tickets/ticket-desk.service';
import { createQueueRulesStore } from './routing/queue-rules.store';
import { createRoutingClaims } from './routing/routing-claims';
import { attachRoutingListeners } from './routing/routing.listeners';
import { createRoutingService, type RoutingService } from './routing/routing.service';
import { createSlaService } from './routing/sla.service';
import { createTeamCalendars } from './routing/team-calendars';
import { attachCustomerStatus, customerStatusClaims } from './routing/customer-status';
import { createSlaPolicyStore } from './routing/sla-policies.store';
import { createAgentPresence } from './routing/agent-presence.service';
import { createAgentRoster } from './routing/agent-roster';
import { createTicketNumbers } from './tickets/ticket-number';
import { createTicketOwners } from './tickets/ticket-owner.store';
import { createConversationReader } from './tickets/conversation.reader';
import { createTicketQueries } from './tickets/ticket-queries.service';
import { createTicketService, type TicketService } from './tickets/ticket.service';
import { createStatModels } from './stats/stat-bucket.model';
import { startStatsListener } from './stats/stats.listener';
import { createStatsService, type StatsService } from './stats/stats.service';
import { createStatRollups } from './stats/stats.rollups';
import { registerStatsRoutes } from './http/routes/stats.routes';
import { registerValueRoutes } from './http/routes/value.routes';
import { createCareService } from './value/care.service';
import { createOrderModel } from './value/orders.model';
import { createOrderService } from './value/orders.service';
import { createSegmentService } from './value/segments.service';
import { createValueJobs } from './value/value.jobs';
import { createValueModels } from './value/value.model';
import { createValueService } from './value/value.service';
import { createValueSettingsStore } from './value/value-settings.store';
import { createFloorService } from './stats/floor.service';
import { createFloorAlerts } from './stats/floor-alerts';
import { floorAlertsOf } from './auth/team-alerts';
import { createCareSettings } from './care/care-settings.store';
import { createComplaintFollowThrough } from './care/complaint-follow-up.service';
import { createSuggestionService } from './care/suggestion.service';
import { createCsatModels } from './csat/csat-survey.model';
import { createCsatLinks } from './csat/csat-token';
import { startCsatListener } from './csat/csat.listener';
import { createCsatService, type CsatService } from './csat/csat.service';
import { registerCareRoutes } from './http/routes/care.routes';
import { createCsatPageRouter } from './http/routes/csat-page.routes';
import { SYSTEM } from './tickets/ticket.service';

const PROJECT_ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');

export interface Hub {
  config: Config;
  logger: Logger;
  models: Models;
  redis: Redis;
  bus: EventBus;
  ingest: IngestService;
  tickets: TicketService;
  /** Hourly response-time buckets (kept by the `stats` listener group) and the figures from them. */
  stats: StatsService;
  /** The mounted channel adapters (api role). */
  channels: ChannelAdapter[];
  /** Ids of the channel instances running in this process (api role). */
  runningChannelInstances(): string[];
  /** Listening URL once started with the api role. */
  url: string;
  publicUrl: string;
  /** The separate metrics listener's URL (`METRICS_LISTEN`), or null. */
  metricsUrl: string | null;
  adminLogin: { email: string; password: string | null };
  stop(): Promise<void>;
}

export interface HubOptions {
  /** Log destination (tests pass a quiet one). */
  logger?: Logger;
}

function redisClient(url: string, name: string, logger: Logger): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
  client.on('error', (err) => logger.warn({ err: err.message, client: name }, 'redis connection error'));
  return client;
}

export async function createHub(config: Config, options: HubOptions = {}): Promise<Hub> {
  const logger = options.logger ?? pino({ level: config.LOG_LEVEL });
  const cleanups: Array<() => Promise<unknown>> = [];
  const dataDir = path.resolve(config.DATA_DIR);

  try {
    // 1. Services: configured ones, or embedded local ones under DATA_DIR.
    const embedded: LocalService[] = [];
    let mongoUri = config.MONGODB_URI;
    if (!mongoUri) {
      const svc = await startFerretDB({ dir: path.join(dataDir, 'ferretdb'), reuse: true, binary: ferretdbBinary(PROJECT_ROOT) });
      embedded.push(svc);
      mongoUri = `${svc.url}omnihub`;
      logger.info({ url: mongoUri }, 'embedded FerretDB ready');
    }
    let redisUrl = config.REDIS_URL;
    if (!redisUrl) {
      const svc = await startRedis({ dir: path.join(dataDir, 'redis'), reuse: true });
      embedded.push(svc);
      redisUrl = svc.url;
      logger.info({ url: redisUrl }, 'embedded redis-server ready');
    }
    cleanups.push(async () => {
      for (const s of embedded) await s.stop();
    });

    const conn: Connection = await mongoose.createConnection(mongoUri, { serverSelectionTimeoutMS: 15_000 }).asPromise();
    cleanups.push(() => conn.close());
    const models = await createModels(conn);
    const channelModels = await createChannelModels(conn);
    const optOuts = createOptOutService(await createOptOutModel(conn));
    const csatModels = await createCsatModels(conn);

    const redis = redisClient(redisUrl, 'hub', logger);
    const bullConnection = redisClient(redisUrl, 'hub-queue', logger);
    cleanups.push(() => Promise.all([redis.quit(), bullConnection.quit()]).catch(() => undefined));

    const prefix = config.REDIS_PREFIX;
    const locks = createDocumentLocks(redis, prefix);
    useDocumentLocks(conn, locks);
    const metrics = createMetrics(async () => {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
      return Object.entries(counts).map(([state, count]) => ({ queue: QUEUES.ingest, state, count }));
    }, () => channelHealth.all());
    const readMetrics = async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() });
    // Domain events on a Redis stream: each listener kind a consumer group, this process one consumer.
    const bus = createRedisEventBus(redis, {
      prefix,
      logger: logger.child({ module: 'events' }),
      consumer: config.HUB_INSTANCE_ID ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
      maxLen: config.EVENT_STREAM_MAXLEN,
      maxAgeMs: config.EVENT_STREAM_MAX_AGE_HOURS * 3_600_000,
      claimIdleMs: config.EVENT_CLAIM_IDLE_MS,
      retryDelayMs: config.EVENT_RETRY_DELAY_MS,
      maxDeliveries: config.EVENT_MAX_DELIVERIES,
      onDelivery: (group, outcome) => metrics.eventDeliveries.inc({ group, outcome }),
    });
    cleanups.push(() => bus.close());
    // Every process counts the events it takes in the `metrics` group: summed, each event once.
    const countEvents = bus.subscribe('metrics', (e) => void metrics.domainEvents.inc({ type: e.type }));
    cleanups.push(countEvents);

    // 2. Domain services.
    const numbers = await createTicketNumbers(redis, prefix, models.Ticket);
    const reopenWindowMs = config.REOPEN_WINDOW_HOURS * 3_600_000;
    const owners = createTicketOwners(redis, prefix);
    const tickets = createTicketService({ ...models, numbers, bus, reopenWindowMs, owners });
    // Every process runs the `stats` group: each event is handled once, by one of them.
    const statModels = await createStatModels(conn);
    const statRollups = createStatRollups({ redis, prefix, zones: config.STATS_ROLLUP_ZONES, hourlyRetentionDays: config.STATS_HOURLY_RETENTION_DAYS });
    // A new installation's rollups are complete from the start; otherwise only a rebuild makes them so.
    await statRollups.markReadyIfEmpty((await statModels.StatBucket.exists({})) !== null);
    if (!(await statRollups.ready())) {
      logger.warn({ module: 'stats' }, 'statistics rollups are incomplete (Redis lost them, or they are new): reports read the buckets until `npm run stats:rebuild`');
    }
    const stats = createStatsService({ ...statModels, rollups: statRollups, Ticket: models.Ticket, User: models.User, Team: models.Team, TicketEvent: models.TicketEvent, Message: models.Message, locks });
    cleanups.push(startStatsListener(bus, stats));
    const ticketQueries = createTicketQueries(models);
    const contacts = createContactService(models);
    const users = createUserService(models);
    const roster = createAgentRoster(users);
    const classifier = createClassifier(defaultClassificationRules);
    const store = createLocalAttachmentStore(path.join(dataDir, 'attachments'));
    const defaultTeam = await users.ensureTeam(config.DEFAULT_TEAM);
    // CSAT (built below, once outbound exists): an SMS that is just a score answers the question instead of becoming a message.
    const lateCsat: { service?: CsatService } = {};
    const pipeline = createIngestPipeline({
      Message: models.Message,
      contacts,
      tickets,
      classifier,
      bus,
      reopenWindowMs,
      defaultTeam,
      intercept: (m) => lateCsat.service?.intercept(m) ?? Promise.resolve(null),
      locks,
    });

    const queue = new Queue<IngestJobData, IngestResult>(QUEUES.ingest, { connection: bullConnection, prefix });
    const eventsConnection = redisClient(redisUrl, 'hub-queue-events', logger);
    cleanups.push(() => eventsConnection.quit().catch(() => undefined));
    const queueEvents = new QueueEvents(QUEUES.ingest, { connection: eventsConnection, prefix });
    cleanups.push(() => queueEvents.close());
    cleanups.push(() => queue.close());
    // Every request waiting for its job listens on this one emitter.
    queueEvents.setMaxListeners(0);
    queue.setMaxListeners(0);
    await queueEvents.waitUntilReady();
    const ingest = createIngestService({ queue, events: queueEvents, redis, prefix, store, jobAttempts: 8 });
    // Channel instances from the database (mailboxes, numbers, feeds), their health and cursors.
    const channelHealth = createChannelHealthStore(redis, prefix);
    const channelInstances = createChannelInstanceService({
      ChannelInstance: channelModels.ChannelInstance,
      kinds: new Map(CHANNEL_KINDS.map((k) => [k.kind, k])),
      box: createSecretBox(config.CHANNEL_SECRET_KEY ?? persistedSecret(dataDir, 'channel-secret-key', 32).value),
      teamExists: (id) => ticketQueries.teamExists(id),
    });

    // Agent work on tickets and contacts; replies go out as jobs through the channel adapters that can send.
    const assignment = createAssignmentService({ ...models, tickets, owners, bus });
    // Routing and SLA: queues, capacity and offers in Redis (atomic Lua); decisions land on
    // tickets through the assignment service; manual takes and assignments go through routing.
    const queueRules = createQueueRulesStore(redis, prefix, defaultTeam.toString());
    const routing: RoutingService = createRoutingService({
      redis,
      prefix,
      publish: (e) => bus.publish(e),
      logger: logger.child({ module: 'routing' }),
      rules: () => queueRules.get(),
      teamDefaults: {
        offerTimeoutMs: config.ROUTING_OFFER_TIMEOUT_MS,
        missedOfferCooldownMs: config.ROUTING_MISSED_OFFER_COOLDOWN_MS,
        autoAccept: { chat: !config.ROUTING_OFFER_CHATS, async: config.ROUTING_AUTO_ACCEPT_ASYNC },
      },
      disconnectGraceMs: config.ROUTING_DISCONNECT_GRACE_MS,
      requeueOpenChatsOnOffline: config.ROUTING_REQUEUE_OPEN_CHATS_ON_OFFLINE,
      agentLoader: () => roster.profiles(),
      // A ticket resolved or merged meanwhile no longer wants an agent: the slot goes back.
      ports: assignment.routingPorts((ticketId) => routing.release(ticketId, 'stale')),
    });
    // Teams' business hours for SLA policies that count them: in memory (the calculator asks
    // synchronously), loaded now, updated on edits here, re-read every 30 s for other processes.
    const calendars = createTeamCalendars({ load: () => users.teamCalendars(), logger: logger.child({ module: 'sla' }) });
    await calendars.start();
    cleanups.push(async () => calendars.stop());
    // Admins' SLA policies (Redis, shared by every process), in memory for the synchronous clocks.
    const slaPolicies = createSlaPolicyStore(redis, prefix, { logger: logger.child({ module: 'sla' }) });
    await slaPolicies.start();
    cleanups.push(async () => slaPolicies.stop());
    const sla = createSlaService({
      redis,
      prefix,
      connection: bullConnection,
      publish: (e) => bus.publish(e),
      logger: logger.child({ module: 'sla' }),
      policies: () => slaPolicies.policies(),
      calendarFor: (teamId) => calendars.get(teamId),
      ports: {
        persistDueTimes: (id, due) => assignment.persistDueTimes(id, due),
        raisePriority: (id) => assignment.raisePriority(id),
        reassign: (id) => routing.reassign(id),
      },
    });
    cleanups.push(() => sla.close());
    // The supervisors' live floor: routing's and the SLA clocks' Redis state, open tickets by team.
    const floorTeams = async () => (await users.listTeams()).map((t) => ({ id: t._id.toString(), name: t.name, floorAlerts: floorAlertsOf(t.floorAlerts) }));
    const floor = createFloorService({
      Ticket: models.Ticket,
      teams: async (ids) => (await floorTeams()).filter((t) => !ids || ids.includes(t.id)),
      routingFloor: (teamId, includeAgents) => routing.floor(teamId, includeAgents),
      warnedClocks: (ids) => sla.warnedClocks(ids),
    });
    // Complaint follow-through: the cause on resolution, a care follow-up N days later (delayed job).
    const careSettings = createCareSettings(redis, prefix);
    const complaints = createComplaintFollowThrough({ Ticket: models.Ticket, tickets, bus, settings: careSettings, connection: bullConnection, prefix });
    cleanups.push(() => complaints.close());
    const routingClaim = createRoutingClaims(routing);
    const desk = createTicketDesk({ ...models, tickets, assignment, bus, store, claim: routingClaim, resolution: complaints });
    const contactDesk = createContactDesk({ ...models, tickets, bus, optOuts: (identities) => optOuts.forIdentities(identities) });
    // Customer value: orders, RFM tiers and stages (onto the contacts routing and SLA read), segments, proactive care.
    const Order = createOrderModel(conn);
    await Order.init();
    const valueModels = await createValueModels(conn);
    const valueSettings = createValueSettingsStore(redis, prefix);
    const currentValueSettings = async () => (await valueSettings.get()).settings;
    const orders = createOrderService({ Order, contacts });
    const values = createValueService({ ...valueModels, Contact: models.Contact, Order, orders, settings: currentValueSettings });
    const segments = createSegmentService({ ...valueModels, Contact: models.Contact });
    const care = createCareService({ ...valueModels, Contact: models.Contact, Ticket: models.Ticket, tickets, bus, defaultTeam, settings: currentValueSettings });
    const valueJobs = createValueJobs({
      connection: bullConnection,
      redis,
      prefix,
      values,
      segments,
      care,
      segmentsK: () => valueSettings.segmentsK(),
      cron: config.VALUE_RECOMPUTE_CRON,
      timezone: config.VALUE_TIMEZONE,
      lockMs: config.JOB_LOCK_MS,
      logger: logger.child({ module: 'value' }),
    });
    cleanups.push(() => valueJobs.close());
    const senders = new Map<ChannelId, ChannelAdapter>();
    const replyAttachments = createReplyAttachments({
      store,
      redis,
      prefix,
      maxBytes: config.REPLY_MAX_ATTACHMENT_BYTES,
      visible: (p, ref) => desk.attachment(p, ref).then((a) => ({ name: a.name, contentType: a.contentType }), () => null),
    });
    const outboundQueue = new Queue<OutboundJobData>(QUEUES.outbound, { connection: bullConnection, prefix });
    cleanups.push(() => outboundQueue.close());
    const outbound = createOutboundService({
      ...models,
      desk,
      tickets,
      bus,
      queue: outboundQueue,
      adapters: senders,
      // Mailboxes (channel instances) send the replies on the tickets they brought in.
      instanceSender: (id) => channelRuntime?.senderOf(id),
      instancesCanSend: (channel) => channelRuntime?.instancesCanSend(channel) ?? false,
      instancesAnswering: (channel) => channelRuntime?.instancesAnswering(channel) ?? null,
      attempts: config.OUTBOUND_ATTEMPTS,
      retryBaseMs: config.OUTBOUND_RETRY_BASE_MS,
      emailAbsentCustomers: config.WEBCHAT_EMAIL_OFFLINE_REPLIES,
      replyAttachments,
      optedOut: (channel, address) => optOuts.current(channel, address),
    });
    const suggestions = createSuggestionService({ Ticket: models.Ticket, tickets, bus, visible: (p, id) => desk.visible(p, id), notify: (id, n) => outbound.notify(id, n) });
    // CSAT: asked on resolution in the ticket's channel; links signed with a key derived from JWT_SECRET.
    const csat = createCsatService({
      ...models,
      ...csatModels,
      tickets,
      bus,
      settings: careSettings,
      links: createCsatLinks(config.JWT_SECRET ?? persistedSecret(dataDir, 'jwt-secret', 48).value),
      redis,
      prefix,
      publicUrl: () => publicUrl || config.PUBLIC_URL || '',
      notify: (id, n) => outbound.notify(id, n),
      live: (_channel, prompt, state) => {
        for (const c of channels) c.surveyUpdate?.(prompt, state);
      },
      assign: async (ticketId, userId, note) => {
        const outcome = await routingClaim(ticketId, userId, null, note, null);
        if (outcome !== 'direct') return;
        const t = await models.Ticket.findById(ticketId).lean();
        if (t) await assignment.setAssignee(t, new mongoose.Types.ObjectId(userId), SYSTEM, note);
      },
    });
    lateCsat.service = csat;

    // "Call back" on phone tickets, through the number (channel instance) the call came in by.
    const callBack = createCallBackService({
      ...models,
      desk,
      tickets,
      bus,
      phoneOf: async (id) => (await users.get(id))?.phone || null,
      caller: (id) => channelRuntime?.callerOf(id),
      redis,
      prefix,
    });


    // 3. Roles.
    if (config.ROLES.includes('worker')) {
      const worker = createIngestWorker(pipeline, {
        connection: bullConnection,
        prefix,
        concurrency: config.INGEST_CONCURRENCY,
        lockMs: config.JOB_LOCK_MS,
        onStored: (channel, acceptedAt) => {
          metrics.ingested.inc({ channel });
          metrics.ingestLatency.observe({ channel }, (Date.now() - acceptedAt.getTime()) / 1000);
        },
        onError: (err, jobId) => logger.warn({ err: err.message, jobId }, 'ingest job failed'),
      });
      // Closing waits for in-flight jobs: graceful shutdown loses nothing.
      cleanups.push(() => worker.close());
      const outboundWorker = createOutboundWorker(outbound, {
        connection: bullConnection,
        prefix,
        concurrency: config.INGEST_CONCURRENCY,
        lockMs: config.JOB_LOCK_MS,
        onError: (err, jobId) => logger.warn({ err: err.message, jobId }, 'outbound job attempt failed'),
      });
      cleanups.push(() => outboundWorker.close());

      const routingListeners = attachRoutingListeners({
        bus,
        routing,
        sla,
        facts: (id) => assignment.routingFacts(id),
        persistTeam: (id, team) => assignment.setTeam(id, team),
        waitingTickets: (limit) => assignment.waitingTickets(limit),
        logger: logger.child({ module: 'routing' }),
      });
      sla.runWorker();
      await valueJobs.schedule();
      valueJobs.start();
      complaints.runWorker();
      cleanups.push(startCsatListener(bus, csat));
      routing.start({ intervalMs: config.ROUTING_SWEEP_MS });
      cleanups.push(async () => {
        await routingListeners.stop();
        await routing.stop();
      });
      // Queue alerts for supervisors (the teams' floorAlerts limits), once per crossing.
      const floorAlerts = createFloorAlerts({
        redis,
        prefix,
        bus,
        floor,
        teams: floorTeams,
        publish: (e) => bus.publish(e),
        logger: logger.child({ module: 'floor' }),
      });
      cleanups.push(() => floorAlerts.stop());
      // Tickets from before the event stream (or trimmed off it) still waiting: queue them now.
      void routingListeners.reconcile().catch((err: unknown) => logger.warn({ err }, 'routing reconcile failed'));
    }

    const admin = await ensureAdmin(config, dataDir, users);
    const accept = channelIngest(ingest, config.INGEST_WAIT_TIMEOUT_MS);
    const faxIntake = createFaxIntake({
      connection: bullConnection,
      prefix,
      store,
      ingest: accept,
      stored: (externalId) => ingest.seen('fax', externalId),
      concurrency: config.FAX_READ_CONCURRENCY,
      logger: logger.child({ module: 'fax' }),
    });
    if (config.ROLES.includes('worker')) faxIntake.start();
    cleanups.push(() => faxIntake.close());
    if (config.SEED_DEMO ?? !config.MONGODB_URI) {
      const demo = await seedDemo({ users, ingest: (m) => ingest.accept(m, { waitMs: 0 }) });
      logger.info({ agents: demo.agents, password: demo.password }, 'demo data ready');
    }
    // After seeding: routing knows every active agent (demo agents included) and their limits.
    await routing.syncAgents();

    // METRICS_LISTEN: /metrics on a listener of its own (any role), off the main port.
    const metricsListener = config.METRICS_LISTEN ? await listenMetrics(config.METRICS_LISTEN, createMetricsApp({ metrics: readMetrics, metricsToken: config.METRICS_TOKEN })) : null;
    if (metricsListener) cleanups.push(() => metricsListener.close());

    let url = '';
    let publicUrl = config.PUBLIC_URL ?? '';
    const channels: ChannelAdapter[] = [];
    let channelRuntime: ChannelRuntime | null = null;
    if (config.ROLES.includes('api')) {
      const channelRouter = Router();
      const ops = createOpsRouter({
        checks: {
          database: async () => ((await conn.db?.admin().ping())?.ok === 1 ? null : 'database ping failed'),
          redis: async () => ((await redis.ping()) === 'PONG' ? null : 'redis ping failed'),
        },
        metrics: readMetrics,
        metricsToken: config.METRICS_TOKEN,
        metricsOnMainPort: !config.METRICS_LISTEN,
        channels: () => channelHealth.all(),
      });
      const auth = createAuthService({
        User: models.User,
        ApiToken: models.ApiToken,
        redis,
        prefix,
        jwtSecret: config.JWT_SECRET ?? persistedSecret(dataDir, 'jwt-secret', 48).value,
        sessionTtlSeconds: config.SESSION_TTL_HOURS * 3600,
        throttle: {
          perAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
          perIp: config.LOGIN_MAX_FAILURES_PER_IP,
          windowSeconds: config.LOGIN_THROTTLE_WINDOW_SECONDS,
        },
      });
      // The channel runtime starts below, after the routes and before any request is served.
      const late: { channels?: ChannelRuntime } = {};
      // Presence: the console's switch and the HTTP API both go to routing, in order per agent.
      const presence = createPresenceStore(redis, prefix);
      const agentPresence = createAgentPresence({ routing, shown: presence, publish: (e) => bus.publish(e) });
      const apiRouter = Router();
      const routes = createRouteTable(apiRouter, createAuthenticator(auth));
      registerAuthRoutes(routes, { auth, users, secureCookies: (config.PUBLIC_URL ?? '').startsWith('https:') });
      registerUserRoutes(routes, {
        users,
        onChange: (u) => roster.changed(routing, u),
        onTeamChange: (t) => calendars.set(t._id.toString(), calendarOf(t.businessHours)),
        teamRemoval: createTeamRemoval({
          ...models,
          defaultTeamId: defaultTeam.toString(),
          openTickets: (teamId) => ticketQueries.openTicketsOfTeam(teamId),
          queueRules: () => queueRules.get(),
          channelInstances: async () => (await channelInstances.list()).map((i) => ({ name: i.name, team: i.team })),
        }),
      });
      const readState = createReadStateStore(redis, prefix);
      registerTicketRoutes(routes, { desk, outbound, attachments: replyAttachments, callBack, readState: (id) => readState.get(id) });
      registerRoutingRoutes(routes, {
        routing,
        rules: queueRules,
        visible: (p, id) => ticketQueries.visible(p, id),
        slaPolicies,
        colleagues: () => roster.colleagues(),
        setPresence: (agentId, status) => agentPresence.set(agentId, status),
      });
      registerContactRoutes(routes, { contacts: contactDesk });
      registerValueRoutes(routes, { orders, values, segments, jobs: valueJobs, settings: valueSettings });
      registerCareRoutes(routes, { settings: careSettings, suggestions, desk });
      registerStatsRoutes(routes, { stats, floor, savedZone: async (userId) => (await users.get(userId))?.timeZone || null });
      registerCannedRoutes(routes, { canned: createCannedService({ CannedResponse: await createCannedResponseModel(conn) }) });
      registerChannelRoutes(routes, {
        instances: channelInstances,
        // This process starts / restarts / stops the instance now; the others when they hear the event.
        changed: async (instanceId, change) => {
          await late.channels?.apply(instanceId);
          await bus.publish({ type: 'channel.instance.changed', instanceId, change, at: new Date().toISOString() });
        },
        health: () => channelHealth.all(),
      });
      // Channel instances' webhooks (routes they mount while running).
      const instanceRouter = Router();
      instanceRouter.use((req, res, next) => (late.channels ? late.channels.router(req, res, next) : next()));
      documentInboundRoutes(routes);
      const docs = createDocsRouter(() => routes.openapi({ title: 'Omnihub API', version: '1', serverUrl: publicUrl }));
      const inboundKey = config.INBOUND_API_KEY ?? persistedSecret(dataDir, 'inbound-api-key').value;
      const app = createHttpApp({
        maxBodyBytes: config.MAX_BODY_BYTES,
        logger,
        corsOrigins: config.CORS_ORIGINS,
        // Integrators with the inbound key have a budget of their own; anyone else counts per address.
        publicRateLimit: publicRateLimit(redis, prefix, config.PUBLIC_RATE_LIMIT_PER_MINUTE, {
          identify: inboundKeyCaller(inboundKey),
          perMinute: config.INBOUND_RATE_LIMIT_PER_MINUTE_PER_KEY,
        }),
        publicPaths: ['/api/v1/auth/login', '/api/v1/inbound', '/webchat', '/csat'],
        routers: [ops, docs, channelRouter, instanceRouter, apiRouter, createConsoleRouter({ distDir: path.join(PROJECT_ROOT, 'web/console/dist') }), createDemoRouter({ channelKey: config.WEBCHAT_CHANNEL_KEY }), createCsatPageRouter({ csat })],
      });
      const server: Server = app.listen(config.PORT, config.HOST);
      await once(server, 'listening');
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
      url = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`;
      publicUrl ||= url;
      // Cleanups run last-in first-out: requests stop before the worker, Redis and the database close.
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
          }),
      );

      // Realtime: socket.io on the same server (consoles and chat widgets), shared through Redis.
      const adapterRedis = redisClient(redisUrl, 'hub-realtime', logger);
      cleanups.push(() => adapterRedis.quit().catch(() => undefined));
      const realtime: Realtime = createRealtime({
        server,
        adapterRedis,
        redis,
        prefix,
        bus,
        presence,
        readState,
        authenticate: (token) => auth.authenticate(token),
        canSee: (p, ticketId) => ticketQueries.visible(p, ticketId),
        ticketAudience: (ticketId) => ticketQueries.audience(ticketId),
        trustedOrigins: [new URL(publicUrl).origin, new URL(url).origin, ...config.CORS_ORIGINS],
        recoveryMs: config.REALTIME_RECOVERY_SECONDS * 1000,
        // Web chat attachments travel inline as base64 (4/3 of their size) with the message.
        maxMessageBytes: Math.ceil(config.WEBCHAT_MAX_ATTACHMENT_BYTES / 3) * 4 + 256 * 1024,
        logger: logger.child({ module: 'realtime' }),
        onAgentActivity: (activity) => {
          for (const c of channels) c.agentActivity?.(activity);
        },
        // Routing's disconnect grace period: the last console tab closing starts it, a new one cancels it.
        onAgentConnection: (agentId, connected) => {
          (connected ? routing.connected(agentId) : routing.disconnected(agentId)).catch((err: unknown) =>
            logger.warn({ err, agentId }, 'routing: connection change failed'),
          );
        },
        agentPresence,
        agentTeams: async (agentId) => (await routing.agentState(agentId))?.teams ?? [],
      });
      cleanups.push(() => realtime.close());

      const webchat = {
        channelKey: config.WEBCHAT_CHANNEL_KEY,
        secret: config.WEBCHAT_SECRET ?? persistedSecret(dataDir, 'webchat-secret', 48).value,
        prechatFields: config.WEBCHAT_PRECHAT_FIELDS,
        prechatRequired: config.WEBCHAT_PRECHAT_REQUIRED,
        maxAttachmentBytes: config.WEBCHAT_MAX_ATTACHMENT_BYTES,
        historyLimit: config.WEBCHAT_HISTORY_LIMIT,
        allowedOrigins: config.WEBCHAT_ALLOWED_ORIGINS,
        widgetFile: path.join(PROJECT_ROOT, 'web/widget/dist/widget.js'),
        identitySecret: config.WEBCHAT_IDENTITY_SECRET,
        identityRequired: config.WEBCHAT_IDENTITY_REQUIRED,
      };
      const email = config.SMTP_URL
        ? { smtpUrl: config.SMTP_URL, from: config.EMAIL_FROM ?? `support@${new URL(publicUrl).hostname}`, tlsInsecure: config.SMTP_TLS_INSECURE }
        : undefined;
      if (!email) logger.info({}, 'email: SMTP_URL is not set, so no email is sent (chat replies to customers who left stay in the chat)');
      // Chat customers see their place in line, the agent who took them and handovers.
      const liveChannels: ChannelId[] = ['webchat'];
      const customerStatus = attachCustomerStatus({
        bus,
        routing,
        liveChannels: new Set(liveChannels),
        ticketInfo: (id) => ticketQueries.conversationState(id),
        agentName: (id) => ticketQueries.userName(id),
        agentOnline: async (id) => (await presence.get(id)) === 'online',
        liveTicketsOf: (agentId) => ticketQueries.liveTicketsOf(agentId, liveChannels),
        teamName: (id) => ticketQueries.teamName(id),
        notify: (status) => {
          for (const c of channels) c.conversationUpdate?.(status);
        },
        claim: customerStatusClaims(redis, prefix),
        logger: logger.child({ module: 'customer-status' }),
      });
      cleanups.push(async () => customerStatus.stop());
      const history = createConversationReader({ ...models, readState });
      const scheduler = createChannelScheduler({
        connection: bullConnection,
        redis,
        prefix,
        lockMs: config.JOB_LOCK_MS,
        logger: logger.child({ module: 'channels' }),
        onFailure: (key, err) => {
          const who = runtime.ownerOf(key);
          if (who) runtime.report(who, { ok: false, reason: err.message });
        },
      });
      cleanups.push(() => scheduler.close());
      // Phone calls are put through to online agents of the number's team who have a phone.
      const voiceAgents = createVoiceAgents({ users, routing, defaultTeam, Ticket: models.Ticket, tickets });
      const runtime = createChannelRuntime({
        shared: {
          ingestStatus: (jobId) => ingest.status(jobId),
          accepted: (channel, externalId) => ingest.seen(channel, externalId),
          publicUrl,
          sockets: { namespace: (name) => realtime.namespace(name) },
          history,
          agentsOnline: () => realtime.agentsOnline(),
          customerActivity: (activity) => realtime.customerActivity(activity),
          attachment: (ref) => store.get(ref),
          storeFile: (bytes) => store.put(bytes),
          conversationStatus: (ticketId) => customerStatus.current(ticketId),
          deliveryFailed: (failure) => outbound.deliveryFailed(failure),
          deliveryReport: (report) => outbound.deliveryReport(report),
          optOut: (change) => optOuts.record(change),
          assignTicket: (ticketId, agentId, note) => voiceAgents.assign(ticketId, agentId, note),
          callStatus: (report) => callBack.callStatus(report),
          callBackNeeded: (ticketId, o) => voiceAgents.callBackNeeded(ticketId, o),
          pendingSurvey: (channel, address) => csat.pending(channel, address),
          answerSurvey: async (a) => {
            const r = await csat.answer({ ticketId: a.ticketId, score: a.score, comment: a.comment, address: a.address, via: 'chat' });
            return r.ok ? { ok: true } : { ok: false, reason: r.reason };
          },
        },
        ingest: accept,
        faxIntake,
        counters: createChannelCounters(redis, prefix),
        availableAgent: (team) => voiceAgents.available(team),
        instances: channelInstances,
        health: channelHealth,
        checkpoints: createCheckpointStore(channelModels.ChannelCheckpoint),
        scheduler,
        healthIntervalMs: config.CHANNEL_HEALTH_INTERVAL_MS,
        logger,
      });
      for (const adapter of createChannels({ inboundApiKey: inboundKey, webchat, email, apiWebhook: { url: config.API_WEBHOOK_URL, secret: config.API_WEBHOOK_SECRET } })) {
        await runtime.mountBuiltIn(adapter, channelRouter);
        channels.push(adapter);
        if (adapter.send) senders.set(adapter.id, adapter);
      }
      late.channels = runtime;
      channelRuntime = runtime;
      scheduler.start();
      // Every process runs the instances, so every process hears their changes (broadcast).
      const unsubscribe = bus.subscribe(
        'channel-instances',
        async (e) => {
          if (e.type === 'channel.instance.changed') await runtime.apply(e.instanceId);
        },
        { mode: 'broadcast' },
      );
      await runtime.startAll();
      cleanups.push(async () => {
        await unsubscribe();
        await runtime.stopAll();
        for (const c of channels) await c.stop?.();
      });
    }

    let stopped = false;
    return {
      config,
      logger,
      models,
      redis,
      bus,
      ingest,
      tickets,
      stats,
      channels,
      runningChannelInstances: () => channelRuntime?.runningIds() ?? [],
      url,
      publicUrl,
      metricsUrl: metricsListener?.url ?? null,
      adminLogin: admin,
      async stop() {
        if (stopped) return;
        stopped = true;
        await runCleanups(cleanups, logger);
      },
    };
  } catch (err) {
    await runCleanups(cleanups, logger);
    throw err;
  }
}

async function runCleanups(cleanups: Array<() => Promise<unknown>>, logger: Logger): Promise<void> {
  while (cleanups.length > 0) {
    const c = cleanups.pop()!;
    await c().catch((err: unknown) => logger.warn({ err }, 'error during shutdown'));
  }
}

async function ensureAdmin(
  config: Config,
  dataDir: string,
  users: ReturnType<typeof createUserService>,
): Promise<{ email: string; password: string | null }> {
  const password = config.ADMIN_PASSWORD ?? persistedSecret(dataDir, 'admin-password', 12).value;
  await users.ensureUser({ email: config.ADMIN_EMAIL, name: 'Administrator', password, role: 'admin', languages: ['en', 'zh'] });
  // Print the password only when we made it up; a configured one stays private.
  return { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD ? null : password };
}

/**
 * `npm run stats:rebuild`: recomputes the stats buckets from the stored tickets, on the
 * configured (or embedded) database, and prints how many tickets and buckets it wrote.
 * Run it while no hub process handles events (a change during the rebuild may be missed).
 */
export async function rebuildStats(config: Config): Promise<{ tickets: number; buckets: number }> {
  const dataDir = path.resolve(config.DATA_DIR);
  const embedded: LocalService[] = [];
  try {
    const started = async (svc: Promise<LocalService>) => {
      const s = await svc;
      embedded.push(s);
      return s.url;
    };
    // A running hub's embedded services are reused (and left running).
    const mongoUri = config.MONGODB_URI ?? `${await started(startFerretDB({ dir: path.join(dataDir, 'ferretdb'), reuse: true, binary: ferretdbBinary(PROJECT_ROOT) }))}omnihub`;
    const redisUrl = config.REDIS_URL ?? (await started(startRedis({ dir: path.join(dataDir, 'redis'), reuse: true })));
    const conn: Connection = await mongoose.createConnection(mongoUri, { serverSelectionTimeoutMS: 15_000 }).asPromise();
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: null, connectionName: 'stats-rebuild' });
    try {
      const locks = createDocumentLocks(redis, config.REDIS_PREFIX);
      useDocumentLocks(conn, locks);
      const models = await createModels(conn);
      const rollups = createStatRollups({ redis, prefix: config.REDIS_PREFIX, zones: config.STATS_ROLLUP_ZONES, hourlyRetentionDays: config.STATS_HOURLY_RETENTION_DAYS });
      const stats = createStatsService({ ...(await createStatModels(conn)), rollups, Ticket: models.Ticket, User: models.User, Team: models.Team, TicketEvent: models.TicketEvent, Message: models.Message, locks });
      return await stats.rebuild();
    } finally {
      await redis.quit().catch(() => redis.disconnect());
      await conn.close();
    }
  } finally {
    for (const s of embedded) await s.stop();
  }
}

async function runCli(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const line of err.lines) process.stderr.write(`${line}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (process.argv[2] === 'stats:rebuild') {
    process.stdout.write(`${JSON.stringify(await rebuildStats(config))}\n`);
    return;
  }
  const logger = pino({ level: config.LOG_LEVEL });
  const hub = await createHub(config, { logger });
  const banner = [
    '',
    `  Omnichannel hub is running (roles: ${config.ROLES.join(', ')})`,
    hub.url ? `  Console / API:  ${hub.publicUrl}` : '  (no HTTP: worker role only)',
    `  Admin login:    ${hub.adminLogin.email} / ${hub.adminLogin.password ?? '(ADMIN_PASSWORD)'}`,
    '',
  ].join('\n');
  process.stdout.write(`${banner}\n`);

  let shuttingDown = false;
  const shutdown = (signal: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('graceful shutdown timed out');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS);
    force.unref();
    hub.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
}

if (require.main === module) {
  runCli().catch((err: unknown) => {
    process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
