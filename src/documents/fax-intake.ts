import { createHash } from 'node:crypto';
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { FaxIntake, FaxIntakeResult, InboundMessageInput, IngestOptions, IngestResult, TicketType } from '../../channels/contract';
import { QUEUES } from '../jobs/queues';
import type { AttachmentStore } from '../storage/attachment.storage';
import { processFaxDocument, type FaxDocument, type FaxDocumentOptions } from './fax-document';

/**
 * Received faxes are read by a job, not while the provider waits: `enqueue` keeps the document
 * in the attachment store and adds one job per fax (its id derives from the fax's externalId, so
 * a provider's retry adds nothing), then the provider is answered. The job renders the pages and
 * their thumbnails, reads them (tesseract, Chinese and English), and ingests the fax as one
 * message: the recognised text, the original and the page images. It is retried with backoff
 * until it succeeds and survives restarts; a document the tools cannot read is not a failure but
 * a message that says "OCR failed" and why, with the original kept.
 */

/** Where the adapter (channel instance) that received the fax sends its messages. */
export interface FaxRoute {
  /** The instance's team (new tickets join it). */
  team?: string;
  /** Metadata the instance puts on its messages (`channelInstance`). */
  metadata?: Record<string, string>;
  /** The instance's default ticket type. */
  chosenType?: TicketType;
}

interface FaxJobData {
  externalId: string;
  from: string;
  to: string | null;
  receivedAt: string;
  /** The document in the attachment store. */
  ref: string;
  size: number;
  source: string;
  subject?: string;
  reading: FaxIntake['reading'];
  route: FaxRoute;
}

export interface FaxIntakeDeps {
  connection: ConnectionOptions;
  prefix: string;
  store: AttachmentStore;
  /** The hub's ingest (what `ctx.ingest` calls). */
  ingest(message: InboundMessageInput, options: IngestOptions & { team?: string }): Promise<IngestResult>;
  /** Whether the fax is stored already (a replay after its job was cleaned up). */
  stored(externalId: string): Promise<boolean>;
  /** Faxes read at once by one process (each tesseract run uses one core). */
  concurrency: number;
  logger: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

const ATTEMPTS = 10;

export const faxJobId = (externalId: string): string => `fax-${createHash('sha256').update(externalId).digest('hex').slice(0, 40)}`;

/** The stored message of a fax: the OCR text (or why there is none), the original, the page images. */
export function faxMessage(fax: Omit<FaxJobData, 'ref' | 'route' | 'size'>, doc: FaxDocument, original: Buffer): InboundMessageInput {
  const ext = doc.format === 'pdf' ? 'pdf' : doc.format === 'tiff' ? 'tif' : 'bin';
  const capped = doc.pageCount > doc.pages.length && doc.error === null;
  return {
    channel: 'fax',
    externalId: fax.externalId,
    from: { address: fax.from, kind: 'fax' },
    to: fax.to ? [{ address: fax.to, kind: 'fax' }] : [],
    ...(fax.subject ? { subject: fax.subject } : {}),
    text: doc.error !== null ? `OCR failed: ${doc.error}` : doc.text,
    attachments: [
      { name: `fax-${fax.externalId.replace(/[^\w.-]/g, '_').slice(0, 100)}.${ext}`, contentType: doc.contentType, size: original.length, contentBase64: original.toString('base64') },
      ...doc.pages.flatMap((p) => [
        { name: p.name, contentType: 'image/png', size: p.png.length, contentBase64: p.png.toString('base64') },
        { name: p.thumbName, contentType: 'image/png', size: p.thumb.length, contentBase64: p.thumb.toString('base64') },
      ]),
    ],
    receivedAt: new Date(fax.receivedAt),
    metadata: {
      faxProvider: fax.source,
      faxPages: String(doc.pageCount),
      faxPagesRead: String(doc.pages.length),
      ocr: doc.error === null ? 'recognised' : 'failed',
      ...(doc.error !== null ? { ocrError: doc.error.slice(0, 2000) } : {}),
      ...(capped ? { faxPageCap: String(fax.reading.maxPages) } : {}),
    },
  };
}

export function createFaxIntake(deps: FaxIntakeDeps) {
  const { store, logger } = deps;
  const queue = new Queue<FaxJobData>(QUEUES.faxDocuments, { connection: deps.connection, prefix: deps.prefix });
  let worker: Worker<FaxJobData, string> | null = null;

  async function read(job: Job<FaxJobData>): Promise<string> {
    const d = job.data;
    const original = await store.get(d.ref);
    const options: FaxDocumentOptions = { maxPages: d.reading.maxPages, languages: d.reading.languages, timeoutMs: d.reading.timeoutMs };
    const doc = await processFaxDocument(original, options);
    if (doc.error !== null) logger.warn({ faxId: d.externalId, reason: doc.error }, 'fax: OCR failed; the original is kept');
    const message = faxMessage(d, doc, original);
    const routed: InboundMessageInput = {
      ...message,
      ...(d.route.chosenType ? { chosenType: d.route.chosenType } : {}),
      metadata: { ...message.metadata, ...d.route.metadata },
    };
    const r = await deps.ingest(routed, { wait: false, ...(d.route.team ? { team: d.route.team } : {}) });
    logger.info({ faxId: d.externalId, pages: doc.pageCount, ocr: doc.error === null ? 'recognised' : 'failed', messageId: r.messageId }, 'fax: read and accepted');
    return r.messageId;
  }

  return {
    /** Keeps the document and queues its reading; answers once both are durable. */
    async enqueue(fax: FaxIntake, route: FaxRoute): Promise<FaxIntakeResult> {
      const jobId = faxJobId(fax.externalId);
      if ((await queue.getJob(jobId)) || (await deps.stored(fax.externalId))) return { accepted: true, duplicate: true, jobId };
      const ref = await store.put(fax.document);
      const data: FaxJobData = {
        externalId: fax.externalId,
        from: fax.from,
        to: fax.to,
        receivedAt: fax.receivedAt.toISOString(),
        ref,
        size: fax.document.length,
        source: fax.source,
        ...(fax.subject ? { subject: fax.subject } : {}),
        reading: fax.reading,
        route,
      };
      await queue.add('read', data, {
        jobId,
        attempts: ATTEMPTS,
        backoff: { type: 'exponential', delay: 2000 },
        // Kept a week: a replay within it is known without a database read.
        removeOnComplete: { age: 7 * 86_400 },
        removeOnFail: { age: 30 * 86_400 },
      });
      return { accepted: true, duplicate: false, jobId };
    },
    /** Starts reading faxes on this process (the `worker` role). */
    start(): void {
      worker ??= new Worker<FaxJobData, string>(QUEUES.faxDocuments, read, { connection: deps.connection, prefix: deps.prefix, concurrency: deps.concurrency });
      worker.on('failed', (job, err) => {
        const last = job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1);
        (last ? logger.error : logger.warn).call(logger, { faxId: job?.data.externalId, attempt: job?.attemptsMade, reason: err.message }, last ? 'fax: reading failed for good; the document stays in the store' : 'fax: reading failed; retried');
      });
      worker.on('error', (err) => logger.warn({ reason: err.message }, 'fax intake: worker error'));
    },
    async close(): Promise<void> {
      await worker?.close();
      await queue.close();
    },
  };
}
export type FaxIntakeService = ReturnType<typeof createFaxIntake>;
