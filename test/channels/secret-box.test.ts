import { createSecretBox } from '../../src/channels/secret-box';

describe('channel secret box (AES-256-GCM)', () => {
  const box = createSecretBox('a-channel-secret-key-of-32-chars-or-more');

  test('opens what it sealed; the same secret seals differently each time', () => {
    const a = box.seal('imap-password-ü');
    const b = box.seal('imap-password-ü');
    expect(a).not.toBe(b);
    expect(a).not.toContain('imap-password');
    expect([box.open(a), box.open(b)]).toEqual(['imap-password-ü', 'imap-password-ü']);
  });

  test('another key or a changed byte does not open', () => {
    const sealed = box.seal('twilio-auth-token');
    expect(() => createSecretBox('another-key-another-key-another-key').open(sealed)).toThrow();
    const parts = sealed.split('.');
    const data = Buffer.from(parts[3]!, 'base64url');
    data[0] = data[0]! ^ 1;
    expect(() => box.open([...parts.slice(0, 3), data.toString('base64url')].join('.'))).toThrow();
    expect(() => box.open('plain text')).toThrow('not a sealed secret');
  });
});
