/**
 * A stand-in fax provider: serves fax documents by URL (what Telnyx's `media_url` points at)
 * and signs webhooks the way Telnyx and our generic scheme do. Also makes fixture faxes the
 * way a fax machine would send them: text in Chinese and English rendered by Chromium with
 * Debian's Noto CJK fonts to a PDF, and that PDF as a 204×196 dpi CCITT G4 TIFF (ghostscript).
 */
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import twilio from 'twilio';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { signGeneric } from '../../channels/fax/fax.verify';
import { launchBrowser } from './browser';

export interface FakeFaxProvider {
  url: string;
  /** The sending side (Telnyx's `POST /v2/faxes` and its signed callbacks). */
  outbound: FakeFaxOutbound;
  /** Serves `bytes` at `<url>/media/<name>` (to `auth` only, by HTTP basic auth, when given); answers that URL. */
  serve(name: string, bytes: Buffer, auth?: { user: string; password: string }): string;
  /** How often each media path was fetched. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startFakeFaxProvider(o: { apiKey?: string } = {}): Promise<FakeFaxProvider> {
  const media = new Map<string, Buffer>();
  const guarded = new Map<string, string>();
  const hits = new Map<string, number>();
  const outbound = fakeFaxOutbound(o.apiKey ?? FAKE_TELNYX_API_KEY);
  const server: Server = createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    if (p === '/v2/faxes') return void outbound.handle(req, res);
    hits.set(p, (hits.get(p) ?? 0) + 1);
    const bytes = media.get(p);
    if (!bytes) return void res.writeHead(404).end();
    const needs = guarded.get(p);
    if (needs && req.headers.authorization !== needs) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="media"' }).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) }).end(bytes);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    outbound,
    hits,
    serve(name, bytes, auth) {
      media.set(`/media/${name}`, bytes);
      if (auth) guarded.set(`/media/${name}`, `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`);
      return `${url}/media/${name}`;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An Ed25519 key pair as a Telnyx account has one: the public key as the portal shows it (base64, 32 bytes). */
export function telnyxKeys(): { publicKey: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x ?? '';
  return { publicKey: Buffer.from(x, 'base64url').toString('base64'), privateKey };
}

export function telnyxHeaders(body: string, privateKey: KeyObject, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    'telnyx-timestamp': String(timestamp),
    'telnyx-signature-ed25519': sign(null, Buffer.from(`${timestamp}|${body}`), privateKey).toString('base64'),
  };
}

export function genericHeaders(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  return { 'x-fax-timestamp': String(timestamp), 'x-fax-signature': signGeneric(body, String(timestamp), secret) };
}

/** A Telnyx `fax.received` event. */
export function telnyxFaxReceived(faxId: string, from: string, mediaUrl: string): string {
  return JSON.stringify({
    data: {
      event_type: 'fax.received',
      id: `evt-${faxId}`,
      occurred_at: new Date().toISOString(),
      record_type: 'event',
      payload: { fax_id: faxId, connection_id: 'conn-1', direction: 'inbound', from, to: '+861088880000', media_url: mediaUrl, page_count: 2, status: 'received' },
    },
    meta: { attempt: 1, delivered_to: 'http://hub/channels/fax' },
  });
}

/**
 * A Phaxio (Sinch) `fax_completed` callback for a received fax, as the provider posts it:
 * `multipart/form-data` with the fax as JSON and the document as the `file` part, and
 * `X-Phaxio-Signature`: hex HMAC-SHA1 (key: the callback token) of the callback URL, each field
 * sorted by name as name + value, each file sorted by field name as name + SHA-1 hex of its bytes.
 */
export function phaxioCallback(o: { url: string; token: string; faxId: number; from: string; document: Buffer; contentType: string }): { form: FormData; signature: string; fields: Record<string, string> } {
  const fields: Record<string, string> = {
    event_type: 'fax_completed',
    direction: 'received',
    success: 'true',
    is_test: 'false',
    fax: JSON.stringify({ id: o.faxId, direction: 'received', num_pages: 2, status: 'success', from_number: o.from, to_number: '+861088880001', created_at: new Date().toISOString() }),
  };
  return { form: phaxioForm(fields, o.document, o.contentType), signature: phaxioSignature(o.url, fields, { file: o.document }, o.token), fields };
}

export function phaxioForm(fields: Record<string, string>, document: Buffer, contentType: string): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(document)], { type: contentType }), 'fax.pdf');
  return form;
}

export function phaxioSignature(url: string, fields: Record<string, string>, files: Record<string, Buffer>, token: string): string {
  let text = url;
  for (const k of Object.keys(fields).sort()) text += k + fields[k];
  for (const k of Object.keys(files).sort()) text += k + createHash('sha1').update(files[k]!).digest('hex');
  return createHmac('sha1', token).update(text).digest('hex');
}

/** A SignalWire fax callback (Twilio-compatible form) and its `X-SignalWire-Signature`, computed by the Twilio SDK. */
export function signalWireCallback(o: { url: string; signingKey: string; faxSid: string; from: string; mediaUrl: string; status?: string }): { body: string; signature: string } {
  const params: Record<string, string> = {
    AccountSid: 'PJ0000000000000000000000000000000',
    FaxSid: o.faxSid,
    From: o.from,
    To: '+861088880002',
    FaxStatus: o.status ?? 'received',
    NumPages: '2',
    MediaUrl: o.mediaUrl,
    RemoteStationId: 'ACME FAX',
  };
  return { body: new URLSearchParams(params).toString(), signature: twilio.getExpectedTwilioSignature(o.signingKey, o.url, params) };
}

/** Each inner array is one page's paragraphs. */
export async function faxFixtures(pages: string[][]): Promise<{ pdf: Buffer; tiff: Buffer }> {
  const dir = await mkdtemp(path.join(process.env.TEST_TMP_DIR ?? tmpdir(), 'fax-fixture-'));
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const html = `<!doctype html><html><body style="font-family:'Noto Sans CJK SC',sans-serif;font-size:28px;margin:40px">${pages
    .map((paras, n) => `<div style="${n > 0 ? 'page-break-before:always' : ''}">${paras.map((p) => `<p>${esc(p)}</p>`).join('')}</div>`)
    .join('')}</body></html>`;
  const browser = await launchBrowser();
  let pdf: Buffer;
  try {
    const page = await browser.newPage();
    await page.setContent(html);
    pdf = Buffer.from(await page.pdf({ format: 'A4' }));
  } finally {
    await browser.close();
  }
  const pdfPath = path.join(dir, 'fax.pdf');
  const tifPath = path.join(dir, 'fax.tif');
  await writeFile(pdfPath, pdf);
  execFileSync('gs', ['-q', '-dBATCH', '-dNOPAUSE', '-sDEVICE=tiffg4', '-r204x196', `-sOutputFile=${tifPath}`, pdfPath]);
  return { pdf, tiff: readFileSync(tifPath) };
}

// ---------- the sending side: Telnyx's POST /v2/faxes, the fetched media, signed callbacks ----------

export const FAKE_TELNYX_API_KEY = 'KEY0123456789ABCDEF_fake_telnyx';

/** What happens to a fax once sent: delivered, or failed with Telnyx's `failure_reason`. */
export type FaxOutcome = 'delivered' | { failed: string };

export interface SentFax {
  id: string;
  /** The JSON body the hub sent. */
  request: { connection_id: string; to: string; from: string; media_url: string; webhook_url: string; client_state?: string };
  /** The document fetched from `media_url` (null: the fetch failed, see `mediaError`). */
  pdf: Buffer | null;
  mediaStatus: number;
  outcome: FaxOutcome;
}

export interface FakeFaxOutbound {
  apiKey: string;
  /** The webhook signing key (the public half is the instance's `publicKey`). */
  keys: { publicKey: string; privateKey: KeyObject };
  /** Every accepted send, in order. */
  sent: SentFax[];
  /** Sends refused for their Authorization header. */
  unauthorized: number;
  /** The outcomes of the next sends, in order (then `delivered`). */
  script(outcomes: FaxOutcome[]): void;
  /** Posts one signed callback about a sent fax to its `webhook_url`; answers the hub's status and body. */
  callback(
    faxId: string,
    event: 'fax.queued' | 'fax.media.processed' | 'fax.sending.started' | 'fax.delivered' | 'fax.failed',
    o?: { failureReason?: string; privateKey?: KeyObject; timestamp?: number; tamper?: (body: string) => string },
  ): Promise<{ status: number; body: string }>;
  /** Posts a fax's whole run as Telnyx would: queued, media processed, sending, then its outcome. Answers the last status. */
  play(faxId: string): Promise<number>;
  /** The request handler (mounted by the provider's server). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

function fakeFaxOutbound(apiKey: string): FakeFaxOutbound {
  const keys = telnyxKeys();
  const sent: SentFax[] = [];
  const queue: FaxOutcome[] = [];
  let seq = 0;
  const self: FakeFaxOutbound = {
    apiKey,
    keys,
    sent,
    unauthorized: 0,
    script(outcomes) {
      queue.push(...outcomes);
    },
    async callback(faxId, event, o = {}) {
      const fax = sent.find((f) => f.id === faxId);
      if (!fax) throw new Error(`no fax ${faxId} was sent`);
      const status = { 'fax.queued': 'queued', 'fax.media.processed': 'media.processed', 'fax.sending.started': 'sending', 'fax.delivered': 'delivered', 'fax.failed': 'failed' }[event];
      const body = JSON.stringify({
        data: {
          event_type: event,
          id: `evt-${faxId}-${(seq += 1)}`,
          occurred_at: new Date().toISOString(),
          record_type: 'event',
          payload: {
            fax_id: faxId,
            connection_id: fax.request.connection_id,
            direction: 'outbound',
            from: fax.request.from,
            to: fax.request.to,
            original_media_url: fax.request.media_url,
            status,
            client_state: fax.request.client_state ?? null,
            ...(event === 'fax.failed' ? { failure_reason: o.failureReason ?? 'receiver_call_dropped' } : {}),
            ...(event === 'fax.delivered' ? { page_count: 1, call_duration_secs: 31 } : {}),
          },
        },
        meta: { attempt: 1, delivered_to: fax.request.webhook_url },
      });
      const headers = telnyxHeaders(body, o.privateKey ?? keys.privateKey, o.timestamp);
      const res = await fetch(fax.request.webhook_url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: o.tamper ? o.tamper(body) : body });
      return { status: res.status, body: await res.text() };
    },
    async play(faxId) {
      const fax = sent.find((f) => f.id === faxId);
      if (!fax) throw new Error(`no fax ${faxId} was sent`);
      await self.callback(faxId, 'fax.queued');
      if (!fax.pdf) return (await self.callback(faxId, 'fax.failed', { failureReason: 'file_download_failed' })).status;
      await self.callback(faxId, 'fax.media.processed');
      await self.callback(faxId, 'fax.sending.started');
      const last = fax.outcome === 'delivered' ? await self.callback(faxId, 'fax.delivered') : await self.callback(faxId, 'fax.failed', { failureReason: fax.outcome.failed });
      return last.status;
    },
    async handle(req, res) {
      const json = (status: number, body: unknown) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method !== 'POST') return json(405, { errors: [{ code: '10015', title: 'Bad Request' }] });
      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        self.unauthorized += 1;
        return json(401, { errors: [{ code: '10009', title: 'Authentication failed', detail: 'The required authentication headers were either invalid or not included in the request.' }] });
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      let body: SentFax['request'];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SentFax['request'];
      } catch {
        return json(400, { errors: [{ code: '10015', title: 'Bad Request', detail: 'not JSON' }] });
      }
      const missing = (['connection_id', 'to', 'from', 'media_url'] as const).filter((k) => typeof body[k] !== 'string' || body[k] === '');
      if (missing.length > 0) return json(422, { errors: missing.map((k) => ({ code: '10004', title: 'Missing required parameter', detail: k, source: { pointer: `/${k}` } })) });
      if (!/^\+[1-9]\d{6,14}$/.test(body.to)) return json(422, { errors: [{ code: '10016', title: 'Phone number must be in +E.164 format', source: { pointer: '/to' } }] });
      // Telnyx fetches the document before it dials; this stand-in fetches it now.
      let pdf: Buffer | null = null;
      let mediaStatus = 0;
      try {
        const m = await fetch(body.media_url);
        mediaStatus = m.status;
        if (m.ok) pdf = Buffer.from(await m.arrayBuffer());
      } catch {
        mediaStatus = -1;
      }
      const id = `fax-out-${sent.length + 1}-${Date.now().toString(36)}`;
      sent.push({ id, request: body, pdf, mediaStatus, outcome: queue.shift() ?? 'delivered' });
      json(202, { data: { record_type: 'fax', id, connection_id: body.connection_id, direction: 'outbound', from: body.from, to: body.to, media_url: body.media_url, status: 'queued', webhook_url: body.webhook_url ?? '', client_state: body.client_state ?? null, created_at: new Date().toISOString() } });
    },
  };
  return self;
}
