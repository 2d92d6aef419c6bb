import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, put } from '../api';
import { useI18n, type MsgKey } from '../i18n/index';
import { fieldMessage, ProblemMessage } from './ProblemMessage';

const RANKED = ['platinum', 'gold', 'silver'] as const;
const CARE_TIERS = ['platinum', 'gold', 'silver', 'bronze', 'fallback'] as const;
const SCORES = ['r', 'f', 'm'] as const;
type Minimums = Record<(typeof SCORES)[number], number>;

/** What `GET /api/v1/value/settings` answers (src/value/value-settings.store.ts). */
interface ValueSettings {
  currency: string;
  rates: Record<string, number>;
  tiers: Record<(typeof RANKED)[number], Minimums>;
  stage: { periodDays: number; stableMinOrders: number; stableMinDays: number };
  careTeams: Record<(typeof CARE_TIERS)[number], string | null>;
  custom?: boolean;
}
interface Team {
  id: string;
  name: string;
}

/**
 * Settings → Customer value (admins): the currency and exchange rates orders are counted in, the
 * minimum R/F/M scores of each tier, the relationship-stage rules, and the team that takes each
 * tier's care tickets. The next recompute uses them.
 */
export function ValueAdmin() {
  const { t, lang } = useI18n();
  const [s, setS] = useState<ValueSettings | null>(null);
  const [rates, setRates] = useState<Array<{ code: string; rate: string }>>([]);
  const [teams, setTeams] = useState<Team[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const show = (v: ValueSettings) => {
    setS(v);
    setRates(Object.entries(v.rates).map(([code, rate]) => ({ code, rate: String(rate) })));
  };
  useEffect(() => {
    get<ValueSettings>('/api/v1/value/settings').then(show, setError);
    get<{ items: Team[] }>('/api/v1/teams').then((r) => setTeams(r.items), setError);
  }, []);

  if (!s) return error !== null ? <ProblemMessage error={error} /> : <p class="muted">{t('app.loading')}</p>;

  const save = async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    setBusy(true);
    try {
      const body: ValueSettings = {
        currency: s.currency.trim().toUpperCase(),
        rates: Object.fromEntries(rates.filter((r) => r.code.trim()).map((r) => [r.code.trim().toUpperCase(), Number(r.rate)])),
        tiers: s.tiers,
        stage: s.stage,
        careTeams: s.careTeams,
      };
      show(await put<ValueSettings>('/api/v1/value/settings', body));
      setError(null);
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const problem = (f: string) => (error instanceof ApiError ? error.errors.find((x) => x.field === f || x.field.startsWith(`${f}.`)) : undefined);
  const fieldError = (f: string) => {
    const p = problem(f);
    return p ? (
      <span class="field-error" data-field-error={f}>
        {fieldMessage(t, lang, p)}
      </span>
    ) : null;
  };
  const shownAtFields = error instanceof ApiError ? error.errors.map((x) => x.field).filter((f) => problem(f) !== undefined) : [];
  const num = (v: string) => (v.trim() === '' ? Number.NaN : Number(v));
  const tierName = (x: string) => (x === 'fallback' ? t('valueAdmin.fallback') : t(`values.tier.${x}` as MsgKey));

  return (
    <section class="settings" aria-labelledby="value-admin-title" data-testid="value-admin">
      <header class="settings-head">
        <div>
          <h1 id="value-admin-title">{t('nav.value')}</h1>
          <p class="muted small">{t('value.intro')}</p>
        </div>
      </header>
      {s.custom === false && (
        <p class="notice info" role="status" data-testid="value-defaults">
          {t('valueAdmin.defaults')}
        </p>
      )}
      <ProblemMessage error={error} onDismiss={() => setError(null)} shownAtFields={shownAtFields} />
      <form class="card" data-testid="value-settings" onSubmit={(e) => void save(e)}>
        <h2>{t('valueAdmin.moneyTitle')}</h2>
        <label class="field">
          <span>{t('valueAdmin.currency')}</span>
          <input name="currency" maxLength={3} required value={s.currency} onInput={(e) => setS({ ...s, currency: e.currentTarget.value })} />
          {fieldError('currency')}
        </label>
        <p class="muted small">{t('valueAdmin.ratesHelp', { currency: s.currency })}</p>
        {rates.map((r, i) => (
          <div class="inline-fields" key={i}>
            <input name={`rate-code-${i}`} aria-label={t('valueAdmin.rateCode')} placeholder="USD" maxLength={3} value={r.code} onInput={(e) => setRates(rates.map((x, j) => (j === i ? { ...x, code: e.currentTarget.value } : x)))} />
            <input name={`rate-value-${i}`} aria-label={t('valueAdmin.rateValue')} type="number" min={0} step="any" value={r.rate} onInput={(e) => setRates(rates.map((x, j) => (j === i ? { ...x, rate: e.currentTarget.value } : x)))} />
            <button type="button" class="btn small ghost" onClick={() => setRates(rates.filter((_, j) => j !== i))}>
              {t('valueAdmin.removeRate')}
            </button>
          </div>
        ))}
        <button type="button" class="btn small" data-action="add-rate" onClick={() => setRates([...rates, { code: '', rate: '' }])}>
          {t('valueAdmin.addRate')}
        </button>
        {fieldError('rates')}

        <h2>{t('valueAdmin.tiersTitle')}</h2>
        <p class="muted small">{t('valueAdmin.tiersHelp')}</p>
        <table class="grid" data-testid="value-tiers">
          <thead>
            <tr>
              <th>{t('valueAdmin.tier')}</th>
              {SCORES.map((x) => (
                <th key={x}>{t(`valueAdmin.score.${x}` as MsgKey)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {RANKED.map((tier) => (
              <tr key={tier}>
                <th>{tierName(tier)}</th>
                {SCORES.map((x) => (
                  <td key={x}>
                    <input
                      type="number"
                      name={`tiers.${tier}.${x}`}
                      aria-label={`${tierName(tier)} · ${t(`valueAdmin.score.${x}` as MsgKey)}`}
                      min={1}
                      max={5}
                      step={1}
                      value={Number.isNaN(s.tiers[tier][x]) ? '' : s.tiers[tier][x]}
                      onInput={(e) => setS({ ...s, tiers: { ...s.tiers, [tier]: { ...s.tiers[tier], [x]: num(e.currentTarget.value) } } })}
                    />
                    {fieldError(`tiers.${tier}.${x}`)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted small">{t('valueAdmin.bronze')}</p>

        <h2>{t('valueAdmin.stageTitle')}</h2>
        {(['periodDays', 'stableMinOrders', 'stableMinDays'] as const).map((k) => (
          <label class="field" key={k}>
            <span>{t(`valueAdmin.stage.${k}` as MsgKey)}</span>
            <input type="number" name={`stage.${k}`} step={1} value={Number.isNaN(s.stage[k]) ? '' : s.stage[k]} onInput={(e) => setS({ ...s, stage: { ...s.stage, [k]: num(e.currentTarget.value) } })} />
            {fieldError(`stage.${k}`)}
          </label>
        ))}

        <h2>{t('valueAdmin.careTitle')}</h2>
        <p class="muted small">{t('valueAdmin.careHelp')}</p>
        {CARE_TIERS.map((tier) => (
          <label class="field" key={tier}>
            <span>{tierName(tier)}</span>
            <select name={`careTeams.${tier}`} value={s.careTeams[tier] ?? ''} onChange={(e) => setS({ ...s, careTeams: { ...s.careTeams, [tier]: e.currentTarget.value || null } })}>
              <option value="">{t(tier === 'fallback' ? 'valueAdmin.defaultTeam' : 'valueAdmin.asFallback')}</option>
              {teams.map((team) => (
                <option key={team.id} value={team.id}>
                  {team.name}
                </option>
              ))}
            </select>
            {fieldError(`careTeams.${tier}`)}
          </label>
        ))}

        <div class="dialog-actions">
          {saved && <span role="status">{t('valueAdmin.saved')}</span>}
          <button type="submit" class="btn primary" disabled={busy} data-action="save-value-settings">
            {t('valueAdmin.save')}
          </button>
        </div>
      </form>
    </section>
  );
}
