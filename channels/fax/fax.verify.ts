import { createHash, createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import twilio from 'twilio';

/**
 * Webhook signature checks of the fax providers. Each answers `null` when the request is
 * genuine and fresh, else why not (`forged` / `stale` / `unsigned`): the caller refuses it
 * before anything is fetched or stored.
 */
export type VerifyFailure = { reason: 'unsigned' | 'forged' | 'stale'; detail: string };

export interface SignedRequest {
  /** The exact body bytes. */
  body: Buffer;
  header(name: string): string | undefined;
  /** Now, in ms (a parameter for tests of the window). */
  now: number;
}

/** Our own signature (HylaFAX scripts, any integrator): `X-Fax-Timestamp` + `X-Fax-Signature`. */
export const GENERIC_TIMESTAMP_HEADER = 'x-fax-timestamp';
export const GENERIC_SIGNATURE_HEADER = 'x-fax-signature';
export const TELNYX_SIGNATURE_HEADER = 'telnyx-signature-ed25519';
export const TELNYX_TIMESTAMP_HEADER = 'telnyx-timestamp';

function fresh(timestamp: string | undefined, now: number, toleranceSeconds: number): VerifyFailure | null {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp.trim())) return { reason: 'unsigned', detail: 'the timestamp header is missing or not Unix seconds' };
  const age = Math.abs(now / 1000 - Number(timestamp.trim()));
  return age > toleranceSeconds ? { reason: 'stale', detail: `the timestamp is ${Math.round(age)} s away from now (window ${toleranceSeconds} s)` } : null;
}

/** `sha256=<hex>` of HMAC-SHA256(secret, `<timestamp>.<body>`): what a sender computes. */
export function signGeneric(body: Buffer | string, timestamp: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export function verifyGeneric(req: SignedRequest, secret: string, toleranceSeconds: number): VerifyFailure | null {
  const timestamp = req.header(GENERIC_TIMESTAMP_HEADER);
  const given = req.header(GENERIC_SIGNATURE_HEADER);
  if (!given) return { reason: 'unsigned', detail: `${GENERIC_SIGNATURE_HEADER} is missing` };
  const stale = fresh(timestamp, req.now, toleranceSeconds);
  if (stale) return stale;
  const expected = Buffer.from(signGeneric(req.body, (timestamp ?? '').trim(), secret));
  const actual = Buffer.from(given.trim());
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? null : { reason: 'forged', detail: 'the signature does not match' };
}

/**
 * The public key Telnyx shows in its portal (base64 of the 32 raw Ed25519 bytes), or a PEM
 * public key. Throws when it is neither.
 */
export function telnyxPublicKey(text: string): KeyObject {
  const t = text.trim();
  if (t.startsWith('-----BEGIN')) return createPublicKey(t);
  const raw = Buffer.from(t, 'base64');
  if (raw.length !== 32) throw new Error('the Telnyx public key is not 32 bytes of base64 (or a PEM key)');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** Telnyx: base64 Ed25519 signature of `<telnyx-timestamp>|<body>`. */
export function verifyTelnyx(req: SignedRequest, publicKey: KeyObject, toleranceSeconds: number): VerifyFailure | null {
  const timestamp = req.header(TELNYX_TIMESTAMP_HEADER);
  const given = req.header(TELNYX_SIGNATURE_HEADER);
  if (!given) return { reason: 'unsigned', detail: `${TELNYX_SIGNATURE_HEADER} is missing` };
  const stale = fresh(timestamp, req.now, toleranceSeconds);
  if (stale) return stale;
  const signature = Buffer.from(given.trim(), 'base64');
  if (signature.length !== 64) return { reason: 'forged', detail: 'the signature is not 64 bytes' };
  const signed = Buffer.concat([Buffer.from(`${(timestamp ?? '').trim()}|`), req.body]);
  let ok = false;
  try {
    ok = verify(null, signed, publicKey, signature);
  } catch {
    ok = false;
  }
  return ok ? null : { reason: 'forged', detail: 'the signature does not match' };
}

export const PHAXIO_SIGNATURE_HEADER = 'x-phaxio-signature';
export const SIGNALWIRE_SIGNATURE_HEADER = 'x-signalwire-signature';

/** A form webhook as its signature covers it: the URL the provider called, the fields, the files. */
export interface SignedForm {
  /** The callback URL as configured at the provider (scheme, host, path and query). */
  url: string;
  fields: Record<string, string>;
  files: Array<{ field: string; bytes: Buffer }>;
  header(name: string): string | undefined;
}

/**
 * Phaxio (Sinch): hex HMAC-SHA1, keyed with the callback token, over the callback URL, then each
 * field sorted by name as name + value, then each file sorted by field name as field name + the
 * SHA-1 (hex) of its bytes.
 */
export function signPhaxio(form: Omit<SignedForm, 'header'>, token: string): string {
  const h = createHmac('sha1', token).update(form.url);
  for (const name of Object.keys(form.fields).sort()) h.update(`${name}${form.fields[name]}`);
  for (const f of [...form.files].sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0))) {
    h.update(`${f.field}${createHash('sha1').update(f.bytes).digest('hex')}`);
  }
  return h.digest('hex');
}

export function verifyPhaxio(form: SignedForm, token: string): VerifyFailure | null {
  const given = form.header(PHAXIO_SIGNATURE_HEADER)?.trim().toLowerCase();
  if (!given) return { reason: 'unsigned', detail: `${PHAXIO_SIGNATURE_HEADER} is missing` };
  const expected = Buffer.from(signPhaxio(form, token));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? null : { reason: 'forged', detail: 'the signature does not match' };
}

/**
 * SignalWire (its Twilio-compatible fax API): `X-SignalWire-Signature` (or `X-Twilio-Signature`),
 * checked by the Twilio SDK's own validation with the project's signing key over the URL and the
 * form's fields.
 */
export function verifySignalWire(form: Omit<SignedForm, 'files'>, signingKey: string): VerifyFailure | null {
  const given = form.header(SIGNALWIRE_SIGNATURE_HEADER) ?? form.header('x-twilio-signature');
  if (!given) return { reason: 'unsigned', detail: `${SIGNALWIRE_SIGNATURE_HEADER} is missing` };
  return twilio.validateRequest(signingKey, given.trim(), form.url, form.fields) ? null : { reason: 'forged', detail: 'the signature does not match' };
}
