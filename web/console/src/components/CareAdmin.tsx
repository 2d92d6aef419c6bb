import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, put } from '../api';
import { useI18n, type MsgKey } from '../i18n/index';
import { ProblemMessage } from './ProblemMessage';

const TYPES = ['complaint', 'suggestion', 'care'] as const;
const CHANNELS = ['webchat', 'email', 'sms'] as const;
type PerChannel = Record<(typeof CHANNELS)[number], boolean>;
interface CsatSettings {
  ask: Record<(typeof TYPES)[number], PerChannel>;
  smsWindowHours: number;
  lowScoreFollowUp: boolean;
}
interface ComplaintSettings {
  causes: string[];
  followUpDays: number;
}

/** Settings → Customer care (admins): which resolved tickets ask for satisfaction, and the complaint causes and follow-up delay. */
export function CareAdmin() {
  const { t } = useI18n();
  const [csat, setCsat] = useState<CsatSettings | null>(null);
  const [complaints, setComplaints] = useState<ComplaintSettings | null>(null);
  const [causesText, setCausesText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<'csat' | 'complaints' | null>(null);

  useEffect(() => {
    get<CsatSettings>('/api/v1/settings/csat').then(setCsat, setError);
    get<ComplaintSettings>('/api/v1/settings/complaints').then((c) => {
      setComplaints(c);
      setCausesText(c.causes.join('\n'));
    }, setError);
  }, []);

  const save = async (which: 'csat' | 'complaints', e: Event) => {
    e.preventDefault();
    setSaved(null);
    try {
      if (which === 'csat' && csat) setCsat(await put<CsatSettings>('/api/v1/settings/csat', csat));
      if (which === 'complaints' && complaints) {
        const causes = causesText.split('\n').map((c) => c.trim()).filter(Boolean);
        const c = await put<ComplaintSettings>('/api/v1/settings/complaints', { ...complaints, causes });
        setComplaints(c);
        setCausesText(c.causes.join('\n'));
      }
      setError(null);
      setSaved(which);
    } catch (err) {
      setError(err);
    }
  };
  const fieldError = (f: string) => (error instanceof ApiError ? error.errors.find((x) => x.field === f || x.field.startsWith(`${f}.`)) : undefined);

  return (
    <section class="settings" aria-labelledby="care-admin-title" data-testid="care-admin">
      <header class="settings-head">
        <div>
          <h1 id="care-admin-title">{t('care.title')}</h1>
          <p class="muted small">{t('care.intro')}</p>
        </div>
      </header>
      {error !== null && <ProblemMessage error={error} onDismiss={() => setError(null)} />}
      {csat && (
        <form class="card" data-testid="csat-settings" onSubmit={(e) => void save('csat', e)}>
          <h2>{t('care.csatTitle')}</h2>
          <p class="muted">{t('care.csatHelp')}</p>
          <table class="grid">
            <thead>
              <tr>
                <th>{t('care.type')}</th>
                {CHANNELS.map((c) => (
                  <th key={c}>{t(`values.channel.${c}` as MsgKey)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {TYPES.map((type) => (
                <tr key={type}>
                  <th>{t(`values.type.${type}` as MsgKey)}</th>
                  {CHANNELS.map((c) => (
                    <td key={c}>
                      <input
                        type="checkbox"
                        name={`ask.${type}.${c}`}
                        aria-label={`${t(`values.type.${type}` as MsgKey)} · ${t(`values.channel.${c}` as MsgKey)}`}
                        checked={csat.ask[type][c]}
                        onChange={(e) => setCsat({ ...csat, ask: { ...csat.ask, [type]: { ...csat.ask[type], [c]: e.currentTarget.checked } } })}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <label class="field">
            <span>{t('care.smsWindow')}</span>
            <input type="number" name="smsWindowHours" min={0.001} step="any" value={csat.smsWindowHours} onInput={(e) => setCsat({ ...csat, smsWindowHours: Number(e.currentTarget.value) })} />
            {fieldError('smsWindowHours') && <span class="field-error">{fieldError('smsWindowHours')!.message}</span>}
          </label>
          <label class="check">
            <input type="checkbox" name="lowScoreFollowUp" checked={csat.lowScoreFollowUp} onChange={(e) => setCsat({ ...csat, lowScoreFollowUp: e.currentTarget.checked })} /> {t('care.lowScore')}
          </label>
          <div class="dialog-actions">
            {saved === 'csat' && <span role="status">{t('care.saved')}</span>}
            <button type="submit" class="btn" data-action="save-csat">
              {t('care.save')}
            </button>
          </div>
        </form>
      )}
      {complaints && (
        <form class="card" data-testid="complaint-settings" onSubmit={(e) => void save('complaints', e)}>
          <h2>{t('care.complaintsTitle')}</h2>
          <label class="field">
            <span>{t('care.causes')}</span>
            <textarea name="causes" rows={6} value={causesText} onInput={(e) => setCausesText(e.currentTarget.value)} />
            {fieldError('causes') && <span class="field-error">{fieldError('causes')!.message}</span>}
          </label>
          <label class="field">
            <span>{t('care.followUpDays')}</span>
            <input type="number" name="followUpDays" min={0} step="any" value={complaints.followUpDays} onInput={(e) => setComplaints({ ...complaints, followUpDays: Number(e.currentTarget.value) })} />
            {fieldError('followUpDays') && <span class="field-error">{fieldError('followUpDays')!.message}</span>}
          </label>
          <div class="dialog-actions">
            {saved === 'complaints' && <span role="status">{t('care.saved')}</span>}
            <button type="submit" class="btn" data-action="save-complaints">
              {t('care.save')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
