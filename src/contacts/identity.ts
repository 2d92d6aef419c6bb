import type { ChannelId, Identity, IdentityKind, Party } from '../../channels/contract';

const DEFAULT_KIND: Record<ChannelId, IdentityKind> = {
  api: 'external',
  webchat: 'webchat',
  email: 'email',
  sms: 'phone',
  voice: 'phone',
  fax: 'fax',
};

/** Canonical form of an identity value, so `A@B.com` and `a@b.com` are one person. */
export function normalizeIdentity(identity: Identity): Identity {
  const value = identity.value.trim();
  switch (identity.kind) {
    case 'email':
      return { kind: 'email', value: value.toLowerCase() };
    case 'phone':
    case 'fax': {
      const digits = value.replace(/[^\d]/g, '');
      return { kind: identity.kind, value: value.startsWith('+') || value.startsWith('00') ? `+${digits.replace(/^00/, '')}` : digits };
    }
    default:
      return { kind: identity.kind, value };
  }
}

export const identityKey = (i: Identity): string => `${i.kind}:${i.value}`;

/** Every identity a sender presents: their address on the channel plus any they gave us. */
export function senderIdentities(channel: ChannelId, from: Party, extra: Identity[] = []): Identity[] {
  const primary = normalizeIdentity({ kind: from.kind ?? DEFAULT_KIND[channel], value: from.address });
  const all = [primary, ...extra.map(normalizeIdentity)];
  const seen = new Set<string>();
  return all.filter((i) => i.value !== '' && !seen.has(identityKey(i)) && seen.add(identityKey(i)));
}
