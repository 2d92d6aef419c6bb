import type { Request } from 'express';
import twilio from 'twilio';
import { ChannelRequestError } from '../contract';
import type { TwilioParams } from './twilio.normalize';

/** Twilio's webhook bodies are small forms; anything much bigger is not Twilio. */
const MAX_FORM_BYTES = 256 * 1024;

/** The form body of a webhook (the hub parses only JSON, so the adapter reads its own). */
export async function readForm(req: Request): Promise<TwilioParams> {
  const type = String(req.headers['content-type'] ?? '');
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    throw new ChannelRequestError(415, 'Unsupported media type', 'Twilio webhooks are application/x-www-form-urlencoded.');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new ChannelRequestError(413, 'Payload too large', `A Twilio webhook is at most ${MAX_FORM_BYTES} bytes.`);
    chunks.push(chunk);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

/**
 * Checks `X-Twilio-Signature` with the SDK's validation against the URL Twilio was configured
 * with: the instance's public base URL plus the path and query the hub received (behind a proxy
 * the Host header is not what Twilio signed). Missing: 400; wrong: 403.
 */
export function verifySignature(req: Request, params: TwilioParams, o: { authToken: string | undefined; publicBaseUrl: string }): void {
  const signature = req.headers['x-twilio-signature'];
  if (typeof signature !== 'string' || signature === '') {
    throw new ChannelRequestError(400, 'Missing signature', 'The request has no X-Twilio-Signature header.', [{ field: 'X-Twilio-Signature', message: 'required' }]);
  }
  const url = `${o.publicBaseUrl.replace(/\/+$/, '')}${req.originalUrl}`;
  if (!o.authToken || !twilio.validateRequest(o.authToken, signature, url, params)) {
    throw new ChannelRequestError(403, 'Invalid signature', 'X-Twilio-Signature does not match this request.', [{ field: 'X-Twilio-Signature', message: 'invalid' }]);
  }
}

/** Reads the form and checks its signature; nothing is looked at before both pass. */
export async function signedForm(req: Request, o: { authToken: string | undefined; publicBaseUrl: string }): Promise<TwilioParams> {
  const params = await readForm(req);
  verifySignature(req, params, o);
  return params;
}
