import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** An encrypted string as stored: AES-256-GCM, `v1.<iv>.<tag>.<ciphertext>` (base64url parts). */
export type Sealed = string;

export interface SecretBox {
  seal(plain: string): Sealed;
  /** Throws when the value was sealed with another key or was tampered with. */
  open(sealed: Sealed): string;
}

/**
 * Encrypts channel instance secrets at rest. The AES-256 key is the SHA-256 of the configured
 * key (CHANNEL_SECRET_KEY, or the one generated into DATA_DIR/secrets): every hub process must
 * share it, and losing it means re-entering the secrets.
 */
export function createSecretBox(key: string): SecretBox {
  const aesKey = createHash('sha256').update(key, 'utf8').digest();
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', aesKey, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== 'v1' || iv === undefined || tag === undefined || data === undefined) throw new Error('not a sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', aesKey, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
