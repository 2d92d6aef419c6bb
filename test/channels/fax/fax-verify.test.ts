/**
 * The fax webhooks' signature checks at their edges (the freshness window both ways, a
 * signature over another timestamp, a key in PEM form), and the OCR text clean-up.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { tidyOcrText } from '../../../src/documents/fax-document';
import { e164 } from '../../../channels/fax/fax.notice';
import { signGeneric, telnyxPublicKey, verifyGeneric, verifyTelnyx } from '../../../channels/fax/fax.verify';

const NOW = 1_800_000_000_000;
const body = Buffer.from('{"faxId":"f1"}');
const headers = (h: Record<string, string>) => (n: string) => h[n.toLowerCase()];

test('generic: fresh and signed passes; outside the window either way is stale; another timestamp is forged', () => {
  const secret = 'sixteen-chars-secret';
  const at = (ts: number, signedTs = ts) => ({ body, now: NOW, header: headers({ 'x-fax-timestamp': String(ts), 'x-fax-signature': signGeneric(body, String(signedTs), secret) }) });
  const now = NOW / 1000;
  expect(verifyGeneric(at(now - 299), secret, 300)).toBeNull();
  expect(verifyGeneric(at(now + 299), secret, 300)).toBeNull();
  expect(verifyGeneric(at(now - 301), secret, 300)?.reason).toBe('stale');
  expect(verifyGeneric(at(now + 301), secret, 300)?.reason).toBe('stale');
  expect(verifyGeneric(at(now, now - 1), secret, 300)?.reason).toBe('forged');
  expect(verifyGeneric(at(now), 'another-secret-value', 300)?.reason).toBe('forged');
  expect(verifyGeneric({ body, now: NOW, header: headers({ 'x-fax-timestamp': String(now) }) }, secret, 300)?.reason).toBe('unsigned');
});

test('telnyx: Ed25519 over "timestamp|body", with the key as base64 or PEM', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url').toString('base64');
  const ts = String(NOW / 1000);
  const signed = { body, now: NOW, header: headers({ 'telnyx-timestamp': ts, 'telnyx-signature-ed25519': sign(null, Buffer.from(`${ts}|${body.toString()}`), privateKey).toString('base64') }) };
  expect(verifyTelnyx(signed, telnyxPublicKey(raw), 300)).toBeNull();
  expect(verifyTelnyx(signed, telnyxPublicKey(publicKey.export({ format: 'pem', type: 'spki' }).toString()), 300)).toBeNull();
  expect(verifyTelnyx({ ...signed, body: Buffer.from('{"faxId":"f2"}') }, telnyxPublicKey(raw), 300)?.reason).toBe('forged');
  expect(verifyTelnyx({ ...signed, now: NOW + 301_000 }, telnyxPublicKey(raw), 300)?.reason).toBe('stale');
  expect(() => telnyxPublicKey('bm90IGEga2V5')).toThrow(/32 bytes/);
});

test('OCR text: no spaces between Chinese characters, English words keep theirs; numbers to E.164', () => {
  expect(tidyOcrText('你 们 的 产品 质量  太差 了 ， 我 要 投诉 。\n\n\n\nOrder  4471 arrived  broken. 订单 4471\f')).toBe('你们的产品质量太差了，我要投诉。\n\nOrder 4471 arrived broken. 订单 4471');
  expect(e164('+86 10 6552-1234')).toBe('+861065521234');
  expect(e164('0049 (30) 765432')).toBe('+4930765432');
  expect(e164('030 765432')).toBeNull();
  expect(e164('anonymous')).toBeNull();
});
