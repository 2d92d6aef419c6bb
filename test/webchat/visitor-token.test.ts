import { createVisitorTokens } from '../../channels/webchat/visitor-token';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('visitor tokens', () => {
  const tokens = createVisitorTokens('test-secret-0123456789abcdef0123456789abcdef', 'default');

  test('a token verifies as its own visitor; no other spelling of its signature does (not even one differing only in unused bits)', () => {
    for (let i = 0; i < 200; i++) {
      const { token, visitorId } = tokens.issue();
      expect(tokens.verify(token)).toBe(visitorId);
      const others = [...ALPHABET].filter((c) => c !== token.at(-1)).map((c) => token.slice(0, -1) + c);
      expect(others.filter((t) => tokens.verify(t) !== null)).toEqual([]);
    }
  });

  test('signed links: the same rule', () => {
    const sig = tokens.sign('ref', 'image/png', 'a.png', '123');
    expect(tokens.check(sig, 'ref', 'image/png', 'a.png', '123')).toBe(true);
    const others = [...ALPHABET].filter((c) => c !== sig.at(-1)).map((c) => sig.slice(0, -1) + c);
    expect(others.filter((s) => tokens.check(s, 'ref', 'image/png', 'a.png', '123'))).toEqual([]);
  });

  test('a verified user is the same visitor on every device, and another user is another visitor', () => {
    expect(tokens.forUser('user-1')).toEqual(tokens.forUser('user-1'));
    expect(tokens.forUser('user-1').visitorId).not.toBe(tokens.forUser('user-2').visitorId);
    expect(tokens.verify(tokens.forUser('user-1').token)).toBe(tokens.forUser('user-1').visitorId);
  });
});
