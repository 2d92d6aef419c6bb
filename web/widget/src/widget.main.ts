/**
 * The embeddable chat widget:
 *   <script src="https://hub.example.com/widget.js" data-channel-key="…" defer></script>
 * Optional attributes: data-hub-url (default: where the script came from), data-locale
 * (en | zh-CN; default: the browser's language), data-title.
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

  const host = document.createElement('omnihub-chat');
  // The host page's styles must not move, hide or restyle the widget's container.
  for (const [k, v] of [['all', 'initial'], ['position', 'fixed'], ['z-index', '2147483000'], ['display', 'block'], ['right', '0'], ['bottom', '0']] as const) {
    host.style.setProperty(k, v, 'important');
  }
  host.setAttribute('lang', locale);
  document.body.append(host);

  let view: ReturnType<typeof createChatView> | null = null;
  const client = createChatClient({ hubUrl, channelKey, store, onChange: (state) => view?.render(state) });
  view = createChatView(host, client, t, {
    ...(data.title ? { title: data.title } : {}),
    startOpen: store.get().open === true,
    onOpenChange: (open) => store.update({ open }),
  });
  view.render(client.state);
  // A returning visitor connects at once: replies and the history arrive without opening the window.
  if (store.get().token || (store.get().outbox ?? []).length > 0) client.connect();
  window.OmnihubChat = { open: () => view?.open(), close: () => view?.close() };
}

const current = document.currentScript instanceof HTMLScriptElement ? document.currentScript : null;
if (document.body) start(current);
else document.addEventListener('DOMContentLoaded', () => start(current));
