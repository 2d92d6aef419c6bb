import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { get, onUnauthorized, post } from '../api';
import { I18nContext, chosenLang, initialLang, rememberLang, translator, type I18n, type Lang } from '../i18n/index';
import type { User } from '../types';
import { Console } from './Console';
import { SignIn, type SignedIn } from './SignIn';

type Session = { user: User; token: string | null } | null | 'loading';

export function App() {
  const [lang, setLangState] = useState<Lang>(() => initialLang());
  const [session, setSession] = useState<Session>('loading');
  const [notice, setNotice] = useState<string | null>(null);

  const i18n = useMemo<I18n>(
    () => ({
      lang,
      t: translator(lang),
      setLang: (l: Lang) => {
        rememberLang(l);
        setLangState(l);
      },
    }),
    [lang],
  );

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = i18n.t('app.name');
  }, [lang, i18n]);

  const adoptUser = useCallback((user: User, token: string | null) => {
    // The account's language unless the agent picked one here.
    if (!chosenLang()) setLangState(initialLang(user.locale));
    setSession({ user, token });
  }, []);

  useEffect(() => {
    // The httpOnly cookie may still hold a session from before a reload.
    get<User>('/api/v1/me').then(
      (user) => adoptUser(user, null),
      () => setSession(null),
    );
  }, [adoptUser]);

  useEffect(
    () =>
      onUnauthorized(() => {
        setSession((s) => {
          if (s && s !== 'loading') setNotice(translator(lang)('errors.sessionExpired'));
          return null;
        });
      }),
    [lang],
  );

  const signOut = useCallback(async () => {
    await post('/api/v1/auth/logout').catch(() => undefined);
    setNotice(null);
    setSession(null);
  }, []);

  const onSignedIn = useCallback(
    (s: SignedIn) => {
      setNotice(null);
      adoptUser(s.user, s.token);
    },
    [adoptUser],
  );

  return (
    <I18nContext.Provider value={i18n}>
      {session === 'loading' ? (
        <div class="splash">{i18n.t('app.loading')}</div>
      ) : session ? (
        <Console key={session.user.id} user={session.user} token={session.token} onSignOut={signOut} />
      ) : (
        <SignIn onSignedIn={onSignedIn} notice={notice} />
      )}
    </I18nContext.Provider>
  );
}
