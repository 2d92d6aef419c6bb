import { en } from '../../web/console/src/i18n/en';
import { zhCN } from '../../web/console/src/i18n/zh-CN';

/** Every leaf key as `group.key`, with its value. */
function leaves(obj: object, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null) for (const [kk, vv] of leaves(v as object, key)) out.set(kk, vv);
    else out.set(key, v);
  }
  return out;
}

const placeholders = (s: string): string[] => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!).sort();

describe('console translation tables', () => {
  const enKeys = leaves(en);
  const zhKeys = leaves(zhCN);

  test('en and zh-CN have exactly the same keys', () => {
    expect([...zhKeys.keys()].sort()).toEqual([...enKeys.keys()].sort());
    expect(enKeys.size).toBeGreaterThan(100);
  });

  test('every label is a non-empty string with the same placeholders in both languages', () => {
    for (const [key, value] of enKeys) {
      const zh = zhKeys.get(key);
      expect([key, typeof value, typeof zh]).toEqual([key, 'string', 'string']);
      expect([key, (value as string).trim().length > 0, (zh as string).trim().length > 0]).toEqual([key, true, true]);
      expect([key, placeholders(zh as string)]).toEqual([key, placeholders(value as string)]);
    }
  });

  test('the Chinese table is actually translated (labels of the main screens differ from English)', () => {
    for (const key of ['signIn.title', 'signIn.submit', 'nav.mine', 'nav.unassigned', 'inbox.empty', 'composer.send', 'timeline.title', 'customer.title']) {
      expect([key, zhKeys.get(key) !== enKeys.get(key), /[\u4e00-\u9fff]/.test(String(zhKeys.get(key)))]).toEqual([key, true, true]);
    }
  });
});
