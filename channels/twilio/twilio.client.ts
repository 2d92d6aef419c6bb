import twilio from 'twilio';

type RequestOptions<T> = Parameters<twilio.RequestClient['request']>[0] & { data?: T };
type Response<T> = Awaited<ReturnType<twilio.RequestClient['request']>> & { body: T };

/** Twilio's REST API origin, as the SDK builds every request URI. */
export const TWILIO_API_ORIGIN = 'https://api.twilio.com';

/**
 * The SDK's own HTTP client, with every `https://api.twilio.com` request sent to another base
 * instead (a regional gateway, an egress proxy that speaks Twilio's API, a local test server).
 * Everything else (auth, form encoding, JSON parsing, RestException) stays the SDK's.
 */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(private readonly base: string, options: { timeout: number }) {
    super(options);
  }

  override request<TData>(opts: RequestOptions<TData>): Promise<Response<TData>> {
    const uri = opts.uri.startsWith(TWILIO_API_ORIGIN) ? `${this.base}${opts.uri.slice(TWILIO_API_ORIGIN.length)}` : opts.uri;
    return super.request<TData>({ ...opts, uri });
  }
}

export interface TwilioClientOptions {
  accountSid: string;
  authToken: string;
  /** Where the REST API is reached; unset: Twilio itself. */
  apiBaseUrl?: string | undefined;
  timeoutMs?: number;
}

/** The SDK's REST client for one account; `apiBaseUrl` (configuration) decides where it sends. */
export function createTwilioClient(o: TwilioClientOptions): twilio.Twilio {
  const timeout = o.timeoutMs ?? 15_000;
  const base = o.apiBaseUrl?.replace(/\/+$/, '');
  return twilio(o.accountSid, o.authToken, {
    timeout,
    ...(base && base !== TWILIO_API_ORIGIN ? { httpClient: new RebasedRequestClient(base, { timeout }) } : {}),
  });
}

/** Whether a URL Twilio handed us (MediaUrl, RecordingUrl) is on the API we talk to, so our credentials may go with it. */
export function isApiUrl(url: string, apiBaseUrl: string | undefined): boolean {
  try {
    const u = new URL(url);
    const base = new URL(apiBaseUrl ?? TWILIO_API_ORIGIN);
    if (u.origin === base.origin) return true;
    // Twilio's regional and edge API hosts: api.<edge>.<region>.twilio.com.
    return !apiBaseUrl && u.protocol === 'https:' && /^api(\.[a-z0-9-]+){0,2}\.twilio\.com$/.test(u.hostname);
  } catch {
    return false;
  }
}

/**
 * Fetches bytes Twilio keeps (MMS media, a recording) with the account's credentials. Twilio may
 * answer with a redirect to its storage; `fetch` drops the Authorization header when the redirect
 * leaves the origin.
 */
export async function fetchTwilioFile(
  url: string,
  o: { accountSid: string; authToken: string; maxBytes: number; timeoutMs?: number },
): Promise<{ bytes: Buffer; contentType: string }> {
  const res = await fetch(url, {
    headers: { authorization: `Basic ${Buffer.from(`${o.accountSid}:${o.authToken}`).toString('base64')}` },
    signal: AbortSignal.timeout(o.timeoutMs ?? 20_000),
  });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > o.maxBytes) throw new Error(`${url} is ${length} bytes, more than ${o.maxBytes}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > o.maxBytes) throw new Error(`${url} is ${bytes.length} bytes, more than ${o.maxBytes}`);
  return { bytes, contentType: (res.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim() };
}
