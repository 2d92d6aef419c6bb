/**
 * A local stand-in for Twilio's REST API and webhooks, for tests: the hub's real `twilio` SDK
 * talks to it (an instance's `apiBaseUrl` points the SDK's HTTP client here), and it calls the
 * hub's webhooks the way Twilio does (form-encoded, `X-Twilio-Signature` made with the SDK's own
 * signature function), retries included, status callbacks in whatever order a test asks for.
 *
 * REST endpoints (Basic auth `AccountSid:AuthToken`, Twilio's JSON shapes and error bodies):
 *   POST /2010-04-01/Accounts/:sid/Messages.json             create an SMS/MMS (201)
 *   GET  /2010-04-01/Accounts/:sid/Messages/:sms.json        fetch one
 *   GET  /2010-04-01/Accounts/:sid/Messages/:sms/Media/:me   media bytes (MMS)
 *   POST /2010-04-01/Accounts/:sid/Calls.json                create a call (201)
 *   GET  /2010-04-01/Accounts/:sid/Recordings/:re.json       recording metadata
 *   GET  /2010-04-01/Accounts/:sid/Recordings/:re(.mp3|.wav) recording bytes
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

export interface FakeAccount {
  sid: string;
  token: string;
}

export interface FakeMessage {
  sid: string;
  account_sid: string;
  to: string;
  from: string;
  body: string;
  status: string;
  num_segments: string;
  num_media: string;
  direction: 'outbound-api' | 'inbound';
  api_version: '2010-04-01';
  date_created: string;
  date_updated: string;
  date_sent: string | null;
  error_code: number | null;
  error_message: string | null;
  price: string | null;
  price_unit: string;
  messaging_service_sid: string | null;
  uri: string;
  subresource_uris: { media: string };
  /** Not Twilio's: the StatusCallback the create asked for (kept for the test to call). */
  statusCallback: string | null;
}

export interface FakeCall {
  sid: string;
  account_sid: string;
  to: string;
  from: string;
  status: string;
  direction: 'outbound-api';
  api_version: '2010-04-01';
  date_created: string;
  uri: string;
  /** Not Twilio's: the Url / Twiml the create gave. */
  url: string | null;
  twiml: string | null;
  statusCallback: string | null;
}

/** A canned answer for the next API request(s): an HTTP status with Twilio's error body. */
export interface FakeFailure {
  status: number;
  code?: number;
  message?: string;
  /** Only requests whose path contains this. */
  pathContains?: string;
}

export interface WebhookOptions {
  /** Which signature to send: right (default), none, or one made with a wrong token. */
  signature?: 'valid' | 'missing' | 'wrong';
  /** The URL to sign instead of the one posted to (what Twilio signs is the URL it was configured with). */
  signedUrl?: string;
  /** Extra headers (a proxy's Host, …). */
  headers?: Record<string, string>;
}

export interface WebhookResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface TwilioFake {
  /** The API base the hub's SDK is pointed at (`apiBaseUrl`). */
  url: string;
  account: FakeAccount;
  /** Every message created through the API, oldest first. */
  messages: FakeMessage[];
  calls: FakeCall[];
  /** Every API request, in order (method, path, form params, whether auth was right). */
  requests: Array<{ method: string; path: string; params: Record<string, string>; authorized: boolean }>;
  /** The next matching API requests answer these instead (one per request, in order). */
  failNext(...failures: FakeFailure[]): void;
  /** Serves bytes at a media URL of this fake (an MMS media, a recording); answers its URL. */
  addMedia(path: string, bytes: Buffer, contentType: string): string;
  /** Adds a recording (metadata + .mp3/.wav bytes); answers its RecordingUrl (no extension, as Twilio sends it). */
  addRecording(sid: string, bytes: Buffer): string;
  /**
   * Like a reverse proxy in front of the hub: webhooks to URLs under `publicBase` (what Twilio is
   * configured with and signs) are delivered to `localBase` instead, with X-Forwarded-Host/-Proto.
   */
  proxy(publicBase: string, localBase: string): void;
  /** POSTs a signed form webhook the way Twilio does; `times` > 1 delivers it again (Twilio's retries), answering each response. */
  webhook(url: string, params: Record<string, string>, options?: WebhookOptions & { times?: number }): Promise<WebhookResponse[]>;
  /** The parameters Twilio sends with an incoming SMS/MMS. */
  incomingSms(o: { to: string; from: string; body: string; sid?: string; media?: Array<{ url: string; contentType: string }> }): Record<string, string>;
  /** The parameters Twilio sends with every request of one incoming call (add Digits, DialCallStatus, … per step). */
  incomingCall(o: { to: string; from: string; sid?: string }): Record<string, string>;
  /** Sends the created message's status callbacks in this order (e.g. delivered before sent). */
  statusCallbacks(messageSid: string, statuses: Array<string | { status: string; errorCode: number; errorMessage?: string }>): Promise<WebhookResponse[]>;
  close(): Promise<void>;
}

const sidOf = (prefix: string): string => prefix + randomBytes(16).toString('hex');
const API = '/2010-04-01/Accounts/';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** GSM-7 or UCS-2 segments, as Twilio counts them (for `num_segments`). */
function segments(text: string): number {
  const gsm = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà^{}\\[~\]|€]*$/.test(text);
  const [one, many] = gsm ? [160, 153] : [70, 67];
  const length = gsm ? [...text].reduce((n, ch) => n + ('^{}\\[~]|€'.includes(ch) ? 2 : 1), 0) : text.length;
  return length <= one ? 1 : Math.ceil(length / many);
}

export async function startTwilioFake(account: FakeAccount = { sid: `AC${randomBytes(16).toString('hex')}`, token: randomBytes(16).toString('hex') }): Promise<TwilioFake> {
  const messages: FakeMessage[] = [];
  const calls: FakeCall[] = [];
  const media = new Map<string, { bytes: Buffer; contentType: string }>();
  const recordings = new Map<string, { bytes: Buffer }>();
  const requests: TwilioFake['requests'] = [];
  const failures: FakeFailure[] = [];
  const proxies: Array<{ from: string; to: string }> = [];
  let base = '';

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: number, message: string): void =>
    json(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

  const authorized = (req: IncomingMessage): boolean => {
    const h = req.headers.authorization ?? '';
    if (!h.startsWith('Basic ')) return false;
    return Buffer.from(h.slice(6), 'base64').toString('utf8') === `${account.sid}:${account.token}`;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', base);
    const raw = req.method === 'POST' ? await readBody(req) : '';
    const params = Object.fromEntries(new URLSearchParams(raw));
    const ok = authorized(req);
    requests.push({ method: req.method ?? 'GET', path: u.pathname, params, authorized: ok });
    if (!ok) return error(res, 401, 20003, 'Authenticate');
    const prefix = `${API}${account.sid}/`;
    if (!u.pathname.startsWith(prefix)) return error(res, 404, 20404, `The requested resource ${u.pathname} was not found`);
    const i = failures.findIndex((f) => !f.pathContains || u.pathname.includes(f.pathContains));
    if (i >= 0) {
      const f = failures.splice(i, 1)[0]!;
      return error(res, f.status, f.code ?? (f.status === 429 ? 20429 : f.status >= 500 ? 20500 : 21211), f.message ?? (f.status === 429 ? 'Too Many Requests' : 'Internal Server Error'));
    }
    const rest = u.pathname.slice(prefix.length);
    const now = new Date().toUTCString();

    if (req.method === 'POST' && rest === 'Messages.json') {
      if (!params.To) return error(res, 400, 21604, "A 'To' phone number is required.");
      if (!params.From && !params.MessagingServiceSid) return error(res, 400, 21603, "A 'From' phone number is required.");
      if (!params.Body && !params.MediaUrl) return error(res, 400, 21602, 'Message body is required.');
      if (!/^\+[1-9]\d{6,14}$/.test(params.To)) return error(res, 400, 21211, `The 'To' number ${params.To} is not a valid phone number.`);
      const sid = sidOf('SM');
      const m: FakeMessage = {
        sid,
        account_sid: account.sid,
        to: params.To,
        from: params.From ?? '',
        body: params.Body ?? '',
        status: 'queued',
        num_segments: String(segments(params.Body ?? '')),
        num_media: '0',
        direction: 'outbound-api',
        api_version: '2010-04-01',
        date_created: now,
        date_updated: now,
        date_sent: null,
        error_code: null,
        error_message: null,
        price: null,
        price_unit: 'USD',
        messaging_service_sid: params.MessagingServiceSid ?? null,
        uri: `${prefix}Messages/${sid}.json`,
        subresource_uris: { media: `${prefix}Messages/${sid}/Media.json` },
        statusCallback: params.StatusCallback ?? null,
      };
      messages.push(m);
      return json(res, 201, m);
    }
    const msg = /^Messages\/(SM[0-9a-f]{32}|MM[0-9a-f]{32})\.json$/.exec(rest);
    if (req.method === 'GET' && msg) {
      const m = messages.find((x) => x.sid === msg[1]);
      return m ? json(res, 200, m) : error(res, 404, 20404, `The requested resource ${u.pathname} was not found`);
    }
    if (req.method === 'POST' && rest === 'Calls.json') {
      if (!params.To || !params.From) return error(res, 400, 21201, 'No called number is specified');
      if (!params.Url && !params.Twiml) return error(res, 400, 21205, 'Url parameter is required.');
      const sid = sidOf('CA');
      const c: FakeCall = {
        sid,
        account_sid: account.sid,
        to: params.To,
        from: params.From,
        status: 'queued',
        direction: 'outbound-api',
        api_version: '2010-04-01',
        date_created: now,
        uri: `${prefix}Calls/${sid}.json`,
        url: params.Url ?? null,
        twiml: params.Twiml ?? null,
        statusCallback: params.StatusCallback ?? null,
      };
      calls.push(c);
      return json(res, 201, c);
    }
    const rec = /^Recordings\/(RE[0-9a-f]{32})(\.json|\.mp3|\.wav)?$/.exec(rest);
    if (req.method === 'GET' && rec) {
      const r = recordings.get(rec[1]!);
      if (!r) return error(res, 404, 20404, `The requested resource ${u.pathname} was not found`);
      if (rec[2] === '.json') {
        return json(res, 200, { sid: rec[1], account_sid: account.sid, status: 'completed', duration: '7', channels: 1, source: 'RecordVerb', uri: `${prefix}Recordings/${rec[1]}.json`, media_url: `${base}${prefix}Recordings/${rec[1]}` });
      }
      res.writeHead(200, { 'content-type': rec[2] === '.mp3' ? 'audio/mpeg' : 'audio/x-wav', 'content-length': r.bytes.length });
      res.end(r.bytes);
      return;
    }
    const file = media.get(u.pathname);
    if (req.method === 'GET' && file) {
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.bytes.length });
      res.end(file.bytes);
      return;
    }
    return error(res, 404, 20404, `The requested resource ${u.pathname} was not found`);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) error(res, 500, 20500, err instanceof Error ? err.message : String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function webhook(url: string, params: Record<string, string>, options: WebhookOptions & { times?: number } = {}): Promise<WebhookResponse[]> {
    const signature = options.signature ?? 'valid';
    const signed = options.signedUrl ?? url;
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'user-agent': 'TwilioProxy/1.1',
      'i-twilio-idempotency-token': randomBytes(8).toString('hex'),
      ...options.headers,
    };
    if (signature !== 'missing') {
      headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(signature === 'wrong' ? `${account.token}x` : account.token, signed, params);
    }
    const via = proxies.find((p) => url.startsWith(p.from));
    const target = via ? `${via.to}${url.slice(via.from.length)}` : url;
    if (via) {
      const pub = new URL(via.from);
      headers['x-forwarded-host'] ??= pub.host;
      headers['x-forwarded-proto'] ??= pub.protocol.replace(':', '');
    }
    const out: WebhookResponse[] = [];
    for (let n = 0; n < (options.times ?? 1); n += 1) {
      const res = await fetch(target, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
      out.push({ status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() });
    }
    return out;
  }

  return {
    url: base,
    account,
    messages,
    calls,
    requests,
    failNext: (...f) => void failures.push(...f),
    proxy: (from, to) => void proxies.push({ from: from.replace(/\/+$/, ''), to: to.replace(/\/+$/, '') }),
    addMedia(path, bytes, contentType) {
      media.set(path, { bytes, contentType });
      return `${base}${path}`;
    },
    addRecording(sid, bytes) {
      recordings.set(sid, { bytes });
      return `${base}${API}${account.sid}/Recordings/${sid}`;
    },
    webhook,
    incomingSms({ to, from, body, sid, media: items = [] }) {
      const messageSid = sid ?? sidOf(items.length > 0 ? 'MM' : 'SM');
      const params: Record<string, string> = {
        ToCountry: 'US',
        ToState: '',
        SmsMessageSid: messageSid,
        NumMedia: String(items.length),
        ToCity: '',
        FromZip: '',
        SmsSid: messageSid,
        FromState: '',
        SmsStatus: 'received',
        FromCity: '',
        Body: body,
        FromCountry: '',
        To: to,
        MessagingServiceSid: '',
        ToZip: '',
        NumSegments: String(segments(body)),
        MessageSid: messageSid,
        AccountSid: account.sid,
        From: from,
        ApiVersion: '2010-04-01',
      };
      items.forEach((m, i) => {
        params[`MediaUrl${i}`] = m.url;
        params[`MediaContentType${i}`] = m.contentType;
      });
      return params;
    },
    incomingCall({ to, from, sid }) {
      return {
        AccountSid: account.sid,
        ApiVersion: '2010-04-01',
        CallSid: sid ?? sidOf('CA'),
        CallStatus: 'ringing',
        Direction: 'inbound',
        From: from,
        Caller: from,
        To: to,
        Called: to,
        FromCountry: 'CN',
        ToCountry: 'US',
      };
    },
    async statusCallbacks(messageSid, statuses) {
      const m = messages.find((x) => x.sid === messageSid);
      if (!m?.statusCallback) throw new Error(`message ${messageSid} was not created with a StatusCallback`);
      const out: WebhookResponse[] = [];
      for (const s of statuses) {
        const { status, errorCode } = typeof s === 'string' ? { status: s, errorCode: undefined } : s;
        m.status = status;
        if (errorCode !== undefined) {
          m.error_code = errorCode;
          m.error_message = typeof s === 'string' ? null : (s.errorMessage ?? null);
        }
        const params: Record<string, string> = {
          AccountSid: account.sid,
          ApiVersion: '2010-04-01',
          From: m.from,
          To: m.to,
          MessageSid: m.sid,
          SmsSid: m.sid,
          MessageStatus: status,
          SmsStatus: status,
          ...(errorCode !== undefined ? { ErrorCode: String(errorCode) } : {}),
        };
        out.push(...(await webhook(m.statusCallback, params)));
      }
      return out;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
