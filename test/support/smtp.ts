import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelopeTo: string[];
  mail: ParsedMail;
}

export interface TestSmtpServer {
  url: string;
  received: ReceivedMail[];
  /** Recipients that got the one temporary refusal (`deferOnce`). */
  deferred: string[];
  /** Resolves with the first mail (already received or still to come) whose envelope includes `to`. */
  waitFor(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback (smtp-server, the protocol implementation behind Nodemailer's
 * own tests) that keeps and parses every message it accepts. Recipients matching `reject`
 * are refused with a permanent 550, like a mailbox that does not exist; the first attempt for
 * a recipient matching `deferOnce` gets a temporary 451 (greylisting), later ones are accepted.
 */
export async function startSmtpServer(opts: { reject?: RegExp; deferOnce?: RegExp; port?: number } = {}): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const deferred: string[] = [];
  const waiters: Array<{ to: string; resolve(m: ReceivedMail): void }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (opts.reject?.test(address.address)) {
        const err = Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 });
        callback(err);
        return;
      }
      if (opts.deferOnce?.test(address.address) && !deferred.includes(address.address)) {
        deferred.push(address.address);
        callback(Object.assign(new Error('4.7.1 greylisted, try again later'), { responseCode: 451 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const envelopeTo = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
          const item = { envelopeTo, mail };
          received.push(item);
          for (const w of [...waiters]) {
            if (envelopeTo.includes(w.to)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(item);
            }
          }
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  // A given port: a mail server coming up where the hub was already told to send (SMTP_URL).
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    deferred,
    waitFor(to, timeoutMs = 15_000) {
      const addr = to.toLowerCase();
      const already = received.find((m) => m.envelopeTo.includes(addr));
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no mail to ${to} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ to: addr, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port nobody listens on now: SMTP_URL at a mail server that is down (until one starts there). */
export async function unusedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
