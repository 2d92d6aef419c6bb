import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { unusedLoopbackPort } from './smtp';

export interface TestDovecot {
  host: string;
  imapPort: number;
  lmtpPort: number;
  /** Adds (or changes the password of) a mailbox user; Dovecot rereads the passwd-file per login. */
  setUser(user: string, password: string): void;
  /** Appends a raw message to a user's folder by IMAP APPEND; resolves with the UID it got. */
  append(user: string, raw: string | Buffer, folder?: string): Promise<number>;
  createFolder(user: string, folder: string): Promise<void>;
  /** Delivers a raw message to a user's INBOX by LMTP, as a mail server's delivery agent does. */
  deliver(user: string, raw: string | Buffer, envelopeFrom?: string): Promise<void>;
  /** Appends many messages over one connection; resolves with their UIDs. */
  appendMany(user: string, raws: ReadonlyArray<string | Buffer>, folder?: string): Promise<number[]>;
  /** Deletes and recreates a folder (it gets a new UIDVALIDITY). */
  recreateFolder(user: string, folder: string): Promise<void>;
  /** The folder's UIDVALIDITY as the server reports it. */
  uidValidity(user: string, folder?: string): Promise<bigint>;
  /** The Message-IDs of the messages in a folder (null when the folder does not exist). */
  messageIds(user: string, folder?: string): Promise<string[] | null>;
  log(): string;
  stop(): Promise<void>;
}

const DOVECOT = process.env.DOVECOT_PATH ?? '/usr/sbin/dovecot';

/**
 * A real Dovecot (IMAP + LMTP) for one test file, run unprivileged on loopback free ports with
 * a passwd-file and a temp maildir, from a config written into a temp dir. Under root (CI
 * containers) it runs as the `dovecot` system user the Debian package creates.
 */
export async function startDovecot(): Promise<TestDovecot> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dovecot-'));
  const [imapPort, lmtpPort] = [await unusedLoopbackPort(), await unusedLoopbackPort()];
  const root = process.getuid?.() === 0;
  const uid = root ? Number(/^uid=(\d+)/.exec(idOf('dovecot'))?.[1] ?? 104) : process.getuid!();
  const gid = root ? Number(/gid=(\d+)/.exec(idOf('dovecot'))?.[1] ?? 112) : process.getgid!();
  const userName = root ? 'dovecot' : os.userInfo().username;
  for (const d of ['run', 'state', 'mail', 'home']) mkdirSync(path.join(dir, d));
  const passwd = path.join(dir, 'passwd');
  const users = new Map<string, string>();
  const writeUsers = () => writeFileSync(passwd, [...users].map(([u, p]) => `${u}:{PLAIN}${p}::::::\n`).join(''));
  writeUsers();
  const conf = path.join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${userName}
default_internal_group = ${root ? 'dovecot' : groupName(gid)}
default_login_user = ${userName}
first_valid_uid = ${Math.min(uid, 1)}
mail_location = maildir:${dir}/mail/%u
mail_uid = ${uid}
mail_gid = ${gid}
passdb {
  driver = passwd-file
  args = ${passwd}
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtpPort}
  }
}
service anvil {
  chroot =
}
service pop3-login {
  chroot =
}
service submission-login {
  chroot =
}
service imap-urlauth-login {
  chroot =
}
service managesieve-login {
  chroot =
}
`,
  );
  if (root) chownTree(dir, uid, gid);
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', conf], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(root ? { uid, gid } : {}),
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => {
    let file = '';
    try {
      file = readFileSync(path.join(dir, 'dovecot.log'), 'utf8');
    } catch {
      /* not written yet */
    }
    return `${out}${file}`;
  };

  // Up when the IMAP port answers with a greeting.
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dovecot exited at start:\n${log()}`);
    if (await greets(imapPort)) break;
    if (Date.now() > deadline) throw new Error(`dovecot did not listen on ${imapPort}:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  async function withClient<T>(user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
    const pass = users.get(user);
    if (pass === undefined) throw new Error(`no dovecot user ${user}`);
    const c = new ImapFlow({ host: '127.0.0.1', port: imapPort, secure: false, auth: { user, pass }, logger: false });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.logout().catch(() => c.close());
    }
  }

  return {
    host: '127.0.0.1',
    imapPort,
    lmtpPort,
    setUser(user, password) {
      users.set(user, password);
      writeUsers();
    },
    append: (user, raw, folder = 'INBOX') =>
      withClient(user, async (c) => {
        const res = await c.append(folder, raw);
        if (!res || res.uid === undefined) throw new Error('APPEND gave no UID');
        return res.uid;
      }),
    async deliver(user, raw, envelopeFrom = 'sender@mx.example') {
      const lmtp = nodemailer.createTransport({ host: '127.0.0.1', port: lmtpPort, lmtp: true, secure: false, ignoreTLS: true, name: 'mx.example' });
      try {
        const info = await lmtp.sendMail({ envelope: { from: envelopeFrom, to: [user] }, raw });
        if (info.rejected.length > 0) throw new Error(`LMTP refused ${user}: ${info.response}`);
      } finally {
        lmtp.close();
      }
    },
    appendMany: (user, raws, folder = 'INBOX') =>
      withClient(user, async (c) => {
        const uids: number[] = [];
        for (const raw of raws) {
          const res = await c.append(folder, raw);
          if (!res || res.uid === undefined) throw new Error('APPEND gave no UID');
          uids.push(res.uid);
        }
        return uids;
      }),
    createFolder: (user, folder) =>
      withClient(user, async (c) => {
        await c.mailboxCreate(folder);
      }),
    recreateFolder: (user, folder) =>
      withClient(user, async (c) => {
        await c.mailboxDelete(folder);
        await c.mailboxCreate(folder);
      }),
    uidValidity: (user, folder = 'INBOX') =>
      withClient(user, async (c) => {
        const st = await c.status(folder, { uidValidity: true });
        return st ? (st.uidValidity ?? 0n) : 0n;
      }),
    messageIds: (user, folder = 'INBOX') =>
      withClient(user, async (c) => {
        const exists = (await c.list()).some((f) => f.path === folder);
        if (!exists) return null;
        const lock = await c.getMailboxLock(folder);
        try {
          if (!c.mailbox || c.mailbox.exists === 0) return [];
          const all = await c.fetchAll('1:*', { envelope: true });
          return all.map((m) => m.envelope?.messageId ?? '').sort();
        } finally {
          lock.release();
        }
      }),
    log,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function idOf(user: string): string {
  try {
    // /etc/passwd: name:x:uid:gid:...
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
    if (!line) return '';
    const [, , u, g] = line.split(':');
    return `uid=${u} gid=${g}`;
  } catch {
    return '';
  }
}

function groupName(gid: number): string {
  try {
    const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.split(':')[2] === String(gid));
    return line?.split(':')[0] ?? String(gid);
  } catch {
    return String(gid);
  }
}

function chownTree(p: string, uid: number, gid: number): void {
  chownSync(p, uid, gid);
  if (statSync(p).isDirectory()) for (const e of readdirSync(p)) chownTree(path.join(p, e), uid, gid);
}

async function greets(port: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.setTimeout(1000);
    s.once('data', (b) => {
      s.destroy();
      resolve(b.toString().startsWith('* OK'));
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}
