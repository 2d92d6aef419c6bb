import { LANG_NAMES, LANGS, isLang, useI18n } from '../i18n/index';
import { Icon } from './Icon';

export function LangSwitch() {
  const { t, lang, setLang } = useI18n();
  return (
    <label class="lang-switch">
      <span class="sr-only">{t('app.language')}</span>
      <Icon name="globe" />
      <select
        aria-label={t('app.language')}
        data-testid="lang-switch"
        value={lang}
        onChange={(e) => {
          const v = e.currentTarget.value;
          if (isLang(v)) setLang(v);
        }}
      >
        {LANGS.map((l) => (
          <option key={l} value={l}>
            {LANG_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
