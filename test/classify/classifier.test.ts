import * as fs from 'fs';
import * as path from 'path';
import type { TicketType } from '../../channels/contract';
import { ClassificationRulesSchema, defaultClassificationRules } from '../../config/classification.rules';
import { createClassifier } from '../../src/classify/classifier';

const classifier = createClassifier(defaultClassificationRules);
const classify = (text: string, extra: { subject?: string; chosenType?: TicketType } = {}) =>
  classifier.classify({ text, ...extra });

interface Labelled {
  lang: 'zh' | 'en';
  type: TicketType;
  text: string;
}

const DEV_SET = path.resolve(__dirname, '../fixtures/classification-dev.jsonl');

function loadDevSet(): Labelled[] {
  return fs
    .readFileSync(DEV_SET, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Labelled);
}

describe('classification on the labelled dev set', () => {
  const rows = loadDevSet();
  const results = rows.map((row) => ({ row, out: classifier.classify({ text: row.text }) }));

  it('reaches at least 85% overall type accuracy (prints a per-language / per-type table)', () => {
    const groups: Array<[string, typeof results]> = [
      ['overall', results],
      ['lang=zh', results.filter((r) => r.row.lang === 'zh')],
      ['lang=en', results.filter((r) => r.row.lang === 'en')],
      ['type=complaint', results.filter((r) => r.row.type === 'complaint')],
      ['type=suggestion', results.filter((r) => r.row.type === 'suggestion')],
      ['type=care', results.filter((r) => r.row.type === 'care')],
    ];
    const lines = groups.map(([name, rs]) => {
      const correct = rs.filter((r) => r.out.type === r.row.type).length;
      const pct = rs.length === 0 ? 'n/a' : `${((100 * correct) / rs.length).toFixed(1)}%`;
      return `${name.padEnd(16)} ${String(correct).padStart(3)}/${String(rs.length).padEnd(3)} ${pct.padStart(6)}`;
    });
    const misses = results
      .filter((r) => r.out.type !== r.row.type)
      .map((r) => `  MISS expected=${r.row.type} got=${r.out.type}: ${r.row.text}`);
    console.log(['classification accuracy (dev set)', ...lines, ...misses].join('\n'));

    expect(rows.length).toBeGreaterThan(0);
    const accuracy = results.filter((r) => r.out.type === r.row.type).length / rows.length;
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('detects the language of every dev message', () => {
    const wrong = results.filter((r) => r.out.language !== r.row.lang).map((r) => r.row.text);
    expect(wrong).toEqual([]);
  });

  it('reports rule provenance: source rules, confidence in (0,1), matched terms', () => {
    for (const { out } of results) {
      expect(out.source).toBe('rules');
      expect(out.confidence).toBeGreaterThan(0);
      expect(out.confidence).toBeLessThan(1);
      expect(out.matched.length).toBeGreaterThan(0);
    }
  });
});

describe("the customer's explicit choice", () => {
  const angry = 'You charged me twice and nobody answers the phone. This is unacceptable, I want a refund!';

  it('is a complaint by the rules alone', () => {
    expect(classify(angry)).toMatchObject({ type: 'complaint', source: 'rules' });
  });

  it('overrides the rules: chosenType suggestion wins with confidence 1', () => {
    const out = classify(angry, { chosenType: 'suggestion' });
    expect(out.type).toBe('suggestion');
    expect(out.source).toBe('customer');
    expect(out.confidence).toBe(1);
    // Priority still comes from the rules.
    expect(out.priority).toBe('high');
  });
});

describe('language detection', () => {
  it('detects Chinese', () => {
    expect(classify('你好，我想查询一下我的账户余额。').language).toBe('zh');
  });

  it('detects English', () => {
    expect(classify('Hello, I would like to check my account balance.').language).toBe('en');
  });

  it('treats Chinese with a few Latin letters (brand names) as Chinese', () => {
    expect(classify('我的iPhone连不上WiFi了').language).toBe('zh');
  });

  it('treats English with a Chinese signature as English', () => {
    expect(classify('Thanks for fixing my internet connection so quickly. 王伟').language).toBe('en');
  });
});

describe('priority', () => {
  it('is urgent for safety, fraud and "immediately"', () => {
    expect(classify('There is smoke coming out of the charger you sold me, please help immediately!').priority).toBe(
      'urgent',
    );
    expect(classify('我的银行卡被盗刷了五千元，请紧急冻结！').priority).toBe('urgent');
  });

  it('is low or normal for a polite suggestion', () => {
    expect(['low', 'normal']).toContain(classify('It would be nice if the app had a widget for my balance.').priority);
    expect(['low', 'normal']).toContain(classify('建议你们在官网上增加在线预约功能，谢谢。').priority);
  });

  it('is at least high for an angry repeated-failure complaint', () => {
    for (const text of [
      'This is the third time my order has been lost. Absolutely ridiculous, I am fed up with you!',
      '网络已经断了好几次了，报修多次都没人处理，太气人了！',
    ]) {
      const out = classify(text);
      expect(out.type).toBe('complaint');
      expect(['high', 'urgent']).toContain(out.priority);
    }
  });

  it('is low for thanks and normal for an ordinary question', () => {
    expect(classify('Thank you, the engineer was brilliant.').priority).toBe('low');
    expect(classify('How do I change my billing address?').priority).toBe('normal');
  });

  it('ignores a negated urgent term', () => {
    expect(classify('这个问题不紧急，请问有空的时候能帮我查一下吗？').priority).not.toBe('urgent');
  });
});

describe('hand-written messages (not from the dev set)', () => {
  const cases: Array<[TicketType, string]> = [
    ['complaint', 'The vacuum cleaner I bought last week stopped working and the store refuses to exchange it.'],
    ['complaint', 'I was charged a cancellation fee even though I cancelled within the trial period.'],
    ['complaint', 'Your delivery man was very rude and threw the box at my door.'],
    ['complaint', "I've been waiting for 40 minutes on the phone and still nobody picked up."],
    ['suggestion', 'It would be great if I could choose which day my bill is due.'],
    ['suggestion', 'Please consider adding a vegetarian option to the lunch menu.'],
    ['suggestion', 'Maybe you could send a reminder before my subscription renews?'],
    ['care', 'How can I update the phone number on my account?'],
    ['care', 'Could you tell me what time the store closes on Sunday?'],
    ['care', 'Thanks so much for helping me set up my new laptop.'],
    ['complaint', '我买的手机屏幕有坏点，申请退货却一直没人处理。'],
    ['complaint', '你们的快递员把我的包裹弄丢了，还不承认，态度太差了。'],
    ['complaint', '这个月电费莫名其妙多扣了两百元，请给我一个说法。'],
    ['suggestion', '建议你们的APP支持多个收货地址一键切换。'],
    ['suggestion', '希望以后营业厅周末也能延长营业时间。'],
    ['suggestion', '如果能在网站上直接看到维修进度就好了。'],
    ['care', '请问怎么修改我的登录密码？'],
    ['care', '我想办理宽带续约，需要带什么资料？'],
    ['care', '谢谢你们的工程师，上门很准时，服务也很好。'],
  ];

  it.each(cases)('%s: %s', (expected, text) => {
    expect(classify(text).type).toBe(expected);
  });
});

describe('rule mechanics', () => {
  it('falls back to care with low confidence when no rule fires', () => {
    const out = classify('Hello.');
    expect(out).toMatchObject({ type: 'care', source: 'rules', matched: [] });
    expect(out.confidence).toBeCloseTo(0.3, 5);
  });

  it('reports the terms that fired', () => {
    const out = classify('The package arrived damaged, please send a replacement.');
    expect(out.matched).toContain('damaged');
  });

  it('lets the longest term win over a negated shorter one ("不满意" is not "满意")', () => {
    expect(classify('我对你们的服务很不满意。').type).toBe('complaint');
    expect(classify('我对你们的服务很满意。').type).toBe('care');
  });

  it('ignores a negated care term in English', () => {
    // Without negation, "friendly" (care) would outweigh "mess" (complaint).
    const out = classify('The technician was not friendly and left a mess.');
    expect(out.matched).not.toContain('friendly');
    expect(out.type).toBe('complaint');
  });

  it('matches single Chinese characters only as whole segmented words', () => {
    // "慢" alone is a complaint word; inside "慢慢" (take your time) it is not a word of its own.
    expect(classify('网速太慢了').matched).toEqual(expect.arrayContaining(['太慢']));
    expect(classify('不用急，慢慢来。').matched).not.toContain('慢');
  });

  it('uses the subject as evidence too', () => {
    const out = classifier.classify({ subject: 'Complaint about my last invoice', text: 'See the attached invoice.' });
    expect(out.type).toBe('complaint');
  });

  it('is deterministic and keeps confidence within [0,1]', () => {
    const text = 'Could you add an option to pay by bank transfer?';
    const a = classify(text);
    expect(classify(text)).toEqual(a);
    expect(a.confidence).toBeGreaterThanOrEqual(0);
    expect(a.confidence).toBeLessThanOrEqual(1);
  });
});

describe('rules schema', () => {
  it('accepts the default rules', () => {
    expect(ClassificationRulesSchema.safeParse(defaultClassificationRules).success).toBe(true);
  });

  it('rejects rules with a negative weight or an unknown type', () => {
    const badWeight = structuredClone(defaultClassificationRules);
    badWeight.languages.en.types.care = [{ term: 'help', weight: -1 }];
    expect(ClassificationRulesSchema.safeParse(badWeight).success).toBe(false);

    const badType = { ...defaultClassificationRules, fallback: { type: 'question', confidence: 0.3 } };
    expect(ClassificationRulesSchema.safeParse(badType).success).toBe(false);
  });
});
