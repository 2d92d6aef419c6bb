/**
 * A stand-in fax provider: serves fax documents by URL (what Telnyx's `media_url` points at)
 * and signs webhooks the way Telnyx and our generic scheme do. Also makes fixture faxes the
 * way a fax machine would send them: text in Chinese and English rendered by Chromium with
 * Debian's Noto CJK fonts to a PDF, and that PDF as a 204×196 dpi CCITT G4 TIFF (ghostscript).
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { signGeneric } from '../../channels/fax/fax.verify';
import { launchBrowser } from './browser';

export interface FakeFaxProvider {
  url: string;
  /** Serves `bytes` at `<url>/media/<name>`; answers that URL. */
  serve(name: string, bytes: Buffer): string;
  /** How often each media path was fetched. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startFakeFaxProvider(): Promise<FakeFaxProvider> {
  const media = new Map<string, Buffer>();
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(p, (hits.get(p) ?? 0) + 1);
    const bytes = media.get(p);
    if (!bytes) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) }).end(bytes);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hits,
    serve(name, bytes) {
      media.set(`/media/${name}`, bytes);
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
