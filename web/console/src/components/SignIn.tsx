import { useState } from 'preact/hooks';
import { post } from '../api';
import { useI18n } from '../i18n/index';
import type { User } from '../types';
import { LangSwitch } from './LangSwitch';
import { ProblemMessage } from './ProblemMessage';

export interface SignedIn {
  token: string;
  user: User;
}

export function SignIn({ onSignedIn, notice }: { onSignedIn: (s: SignedIn) => void; notice?: string | null }) {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await post<SignedIn>('/api/v1/auth/login', { email, password });
      onSignedIn(res);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <div class="signin-page">
      <div class="signin-top">
        <LangSwitch />
      </div>
      <form class="signin-card" onSubmit={submit} data-testid="signin-form">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true" /> {t('app.name')}
        </div>
        <h1>{t('signIn.title')}</h1>
        <p class="muted">{t('signIn.subtitle')}</p>
        {notice && <p class="notice">{notice}</p>}
        <label class="field">
          <span>{t('signIn.email')}</span>
          <input type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('signIn.password')}</span>
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <ProblemMessage error={error} />
        <button type="submit" class="btn primary wide" disabled={busy}>
          {busy ? t('signIn.submitting') : t('signIn.submit')}
        </button>
      </form>
    </div>
  );
}
