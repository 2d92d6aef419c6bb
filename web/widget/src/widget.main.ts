/**
 * The embeddable chat widget:
 *   <script src="https://hub.example.com/widget.js" data-channel-key="…" defer></script>
 * Optional attributes: data-hub-url (default: where the script came from), data-locale
 * (en | zh-CN; default: the browser's language), data-title.
 * Identity verification (the site's signed-in user): data-user-id, data-user-hash (hex
 * HMAC-SHA256 of the user id under the hub's WEBCHAT_IDENTITY_SECRET, computed on the site's
 * server), and optionally data-user-name and data-user-email to fill the pre-chat form.
 */
import { createChatClient } from './chat.client';
import { createChatView } from './chat.view';
import { pickLocale, translator, type Locale } from './widget.i18n';
import { createVisitorStore } from './visitor.store';

interface WidgetApi {
  open(): void;
  close(): void;
}

declare global {
  interface Window {
    OmnihubChat?: WidgetApi;
  }
}

function start(script: HTMLScriptElement | null): void {
  if (window.OmnihubChat) return;
  const data = script?.dataset ?? {};
  const hubUrl = (data.hubUrl ?? new URL(script?.src || '/', window.location.href).origin).replace(/\/$/, '');
  const channelKey = data.channelKey ?? 'default';
  const locale: Locale = data.locale === 'zh-CN' || data.locale === 'en' ? data.locale : pickLocale(navigator.languages?.length ? navigator.languages : [navigator.language]);
  const t = translator(locale);
  const store = createVisitorStore(`omnihub-chat:${hubUrl}:${channelKey}`);
  const identity =
    data.userId && data.userHash
      ? { userId: data.userId, hash: data.userHash, ...(data.userName ? { name: data.userName } : {}), ...(data.userEmail ? { email: data.userEmail } : {}) }
      : undefined;
  // Another user signed in (or out) in this browser: nothing of the previous one's chat stays.
  if ((store.get().userId ?? null) !== (identity?.userId ?? null)) store.reset({ ...(identity ? { userId: identity.userId } : {}) });

  const host = document.createElement('omnihub-chat');
  // The host page's styles must not move, hide or restyle the widget's container.
  for (const [k, v] of [['all', 'initial'], ['position', 'fixed'], ['z-index', '2147483000'], ['display', 'block'], ['right', '0'], ['bottom', '0']] as const) {
    host.style.setProperty(k, v, 'important');
  }
  host.setAttribute('lang', locale);
  document.body.append(host);

  let view: ReturnType<typeof createChatView> | null = null;
  const client = createChatClient({ hubUrl, channelKey, store, ...(identity ? { identity } : {}), onChange: (state) => view?.render(state) });
  view = createChatView(host, client, t, {
    ...(data.title ? { title: data.title } : {}),
    startOpen: store.get().open === true,
    ...(identity ? { prefill: { ...(identity.name ? { name: identity.name } : {}), ...(identity.email ? { email: identity.email } : {}) } } : {}),
    onOpenChange: (open) => store.update({ open }),
  });
  view.render(client.state);
  // A returning visitor connects at once: replies and the history arrive without opening the window.
  if (identity || store.get().token || (store.get().outbox ?? []).length > 0) client.connect();
  window.OmnihubChat = { open: () => view?.open(), close: () => view?.close() };
}

const current = document.currentScript instanceof HTMLScriptElement ? document.currentScript : null;
if (document.body) start(current);
else document.addEventListener('DOMContentLoaded', () => start(current));
