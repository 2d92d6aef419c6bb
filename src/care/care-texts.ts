import i18next from 'i18next';

/**
 * The subjects of the tickets the hub opens by itself (care follow-ups, proactive care), in the
 * language of the customer they are about: agents who serve that customer read them in the inbox,
 * and a reply by email carries the subject to the customer.
 */
const en = {
  tier: { platinum: 'Platinum', gold: 'Gold', silver: 'Silver', bronze: 'Bronze', none: 'no tier' },
  complaintFollowUp: 'Follow-up on complaint #{{number}}',
  lowSatisfaction: 'Low satisfaction ({{score}}/5) on #{{number}}',
  declining: 'Proactive care: {{who}} is buying less (declining)',
  tierDrop: 'Proactive care: {{who}} dropped from {{from}} to {{to}}',
};
const zhCN: typeof en = {
  tier: { platinum: '白金', gold: '黄金', silver: '白银', bronze: '青铜', none: '无等级' },
  complaintFollowUp: '投诉 #{{number}} 的回访',
  lowSatisfaction: '#{{number}} 满意度低（{{score}}/5）',
  declining: '主动关怀：{{who}} 的购买在减少（衰退）',
  tierDrop: '主动关怀：{{who}} 从{{from}}降到{{to}}',
};

const i18n = i18next.createInstance();
void i18n.init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  lng: 'en',
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});

type Key = Exclude<keyof typeof en, 'tier'>;
const langOf = (language: string): 'en' | 'zh-CN' => (language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en');
const MAX_SUBJECT = 200;

/** A hub-opened ticket's subject in the customer's language, with the original ticket's subject after it when there is one. */
export function careSubject(language: string, key: Key, vars: Record<string, string | number>, about = ''): string {
  const lng = langOf(language);
  const head = i18n.t(key, { ...vars, lng });
  const sep = lng === 'zh-CN' ? '：' : ': ';
  return `${head}${about ? `${sep}${about}` : ''}`.slice(0, MAX_SUBJECT);
}

/** A value tier's name in the customer's language (`none` for no tier). */
export const tierName = (language: string, tier: string | null): string => i18n.t(`tier.${tier ?? 'none'}`, { lng: langOf(language), defaultValue: tier ?? '' });
