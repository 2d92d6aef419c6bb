import type { ChatAttachment, ChatStatus, PrechatField, PrechatProfile, Topic } from '../../../channels/webchat/webchat.protocol';
import { LINK_REL, textParts } from '../../common/text-links';
import type { ChatClient, ChatState, ViewMessage } from './chat.client';
import type { Translate } from './widget.i18n';
import { WIDGET_CSS } from './widget.styles';

type Attrs = Record<string, string | boolean>;

/** createElement with attributes and children; text is always set as text, never parsed as HTML. */
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false) continue;
    el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) el.append(c);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
function icon(path: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS(SVG_NS, 'path');
  p.setAttribute('d', path);
  svg.append(p);
  return svg;
}
const ICON_CHAT = 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 2-2z';
const ICON_SEND = 'M2 21l21-9L2 3v7l15 2-15 2z';
const ICON_CLIP = 'M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z';

/** Message text as text nodes, with its http(s) URLs as links (built as nodes, never parsed as HTML). */
const withLinks = (text: string): Array<Node | string> =>
  textParts(text).map((p) => (p.kind === 'link' ? h('a', { class: 'link', href: p.href, target: '_blank', rel: LINK_REL }, p.text) : p.text));

const safeUrl = (url: string): string | null => (/^(https?:|blob:)/i.test(url) ? url : null);

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 104857.6) / 10} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export interface ChatView {
  render(state: ChatState): void;
  open(): void;
  close(): void;
}

/** "About 3 minutes" / "less than a minute". */
function waitText(t: Translate, ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes < 1 ? t('waitUnderMinute') : t('waitMinutes', { minutes: String(minutes) });
}

/** The line a system entry shows in the conversation. */
function systemText(t: Translate, s: ChatStatus): string {
  if (s.kind === 'assigned') return t('agentJoined', { name: s.agentName });
  if (s.kind === 'transferred' && s.toAgentName) return t('transferredToAgent', { name: s.toAgentName });
  if (s.kind === 'transferred' && s.toTeamName) return t('transferredToTeam', { team: s.toTeamName });
  return t('transferred');
}

export function createChatView(
  host: HTMLElement,
  client: ChatClient,
  t: Translate,
  opts: { title?: string; startOpen: boolean; onOpenChange(open: boolean): void; prefill?: { name?: string; email?: string } },
): ChatView {
  const root = host.attachShadow({ mode: 'open' });
  root.append(h('style', {}, WIDGET_CSS));

  const badge = h('span', { class: 'badge', hidden: true });
  const launcher = h('button', { type: 'button', class: 'launcher', 'aria-label': t('launcher'), title: t('launcher') }, icon(ICON_CHAT), badge);
  const title = h('h2', { class: 'title' }, opts.title ?? t('title'));
  const subtitle = h('p', { class: 'subtitle' }, t('subtitle'));
  const closeBtn = h('button', { type: 'button', class: 'x', 'aria-label': t('close'), title: t('close') }, '×');
  const connNotice = h('div', { class: 'notice conn', role: 'status', hidden: true }, t('reconnecting'));
  const offlineNotice = h('div', { class: 'notice offline', role: 'status', hidden: true }, t('offline'));
  const awayNotice = h('div', { class: 'notice away', role: 'status', hidden: true });
  const queueNotice = h('div', { class: 'notice queue', role: 'status', hidden: true });
  // Nobody can take the chat right now: said honestly, with an invitation to leave an email address.
  const busyText = h('span', { class: 'busy-text' }, t('busy'));
  const busyEmailInput = h('input', { type: 'email', name: 'busy-email', autocomplete: 'email', 'aria-label': t('email') });
  const busyEmail = h(
    'form',
    { class: 'busy-email', novalidate: true },
    h('label', {}, t('busyEmail')),
    busyEmailInput,
    h('button', { type: 'submit' }, t('saveEmail')),
  );
  const busyHint = h('span', { class: 'hint' });
  const busyNotice = h('div', { class: 'notice busy', role: 'status', hidden: true }, busyText, busyEmail, busyHint);
  const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite' });
  const greeting = h('div', { class: 'msg agent greeting' }, h('div', { class: 'bubble' }, t('greeting')));
  log.append(greeting);
  const typing = h('div', { class: 'typing', 'aria-live': 'polite' });
  const error = h('div', { class: 'error', role: 'alert' });
  const fileInput = h('input', { type: 'file', hidden: true, accept: 'image/png,image/jpeg,image/gif,image/webp,application/pdf' });
  const attachBtn = h('button', { type: 'button', class: 'icon attach', 'aria-label': t('attach'), title: t('attach') }, icon(ICON_CLIP));
  const textarea = h('textarea', { rows: '1', placeholder: t('placeholder'), 'aria-label': t('placeholder'), maxlength: '5000' });
  const sendBtn = h('button', { type: 'submit', class: 'icon send', 'aria-label': t('send'), title: t('send') }, icon(ICON_SEND));
  const composer = h('form', { class: 'composer' }, attachBtn, fileInput, textarea, sendBtn);
  const prechat = h('form', { class: 'prechat', hidden: true, novalidate: true });
  const panel = h(
    'section',
    { class: 'panel', role: 'dialog', 'aria-label': opts.title ?? t('title'), hidden: true },
    h('header', { class: 'head' }, h('div', { class: 'titles' }, title, subtitle), closeBtn),
    connNotice,
    offlineNotice,
    awayNotice,
    queueNotice,
    busyNotice,
    prechat,
    log,
    typing,
    error,
    composer,
  );
  root.append(launcher, panel);

  const nodes = new Map<string, { el: HTMLElement; bubble: HTMLElement; status: HTMLElement; files: string }>();
  let isOpen = false;
  let unread = 0;
  let seenAgentKeys = new Set<string>();
  /** The history of the first welcome was seen before: it does not count as unread. */
  let primed = false;
  let last: ChatState | null = null;

  // ---------- pre-chat form ----------

  function buildPrechat(fields: readonly PrechatField[], required: readonly PrechatField[]): void {
    prechat.replaceChildren();
    const saved: Partial<PrechatProfile> | undefined = client.profile() ?? opts.prefill;
    const input = (name: string, type: string, label: string, optional: boolean, value = '') =>
      h('label', {}, label, optional ? h('span', { class: 'opt' }, ` ${t('optional')}`) : '', h('input', { type, name, value, autocomplete: name === 'name' ? 'name' : name === 'email' ? 'email' : 'tel' }), h('span', { class: 'field-error' }));
    prechat.append(h('p', {}, t('prechatIntro')), input('name', 'text', t('name'), false, saved?.name ?? ''));
    if (fields.includes('email')) prechat.append(input('email', 'email', t('email'), !required.includes('email'), saved?.email ?? ''));
    if (fields.includes('phone')) prechat.append(input('phone', 'tel', t('phone'), !required.includes('phone'), saved?.phone ?? ''));
    const topics = h('fieldset', { class: 'topics' }, h('legend', {}, t('topic')));
    for (const topic of ['question', 'complaint', 'suggestion'] as const) {
      topics.append(h('label', {}, h('input', { type: 'radio', name: 'topic', value: topic, checked: (saved?.topic ?? 'question') === topic }), t(topic)));
    }
    prechat.append(topics, h('span', { class: 'field-error topic-error' }), h('button', { type: 'submit', class: 'start' }, t('start')));
  }

  prechat.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = (name: string): string => (prechat.querySelector<HTMLInputElement>(`input[name=${name}]`)?.value ?? '').trim();
    const fieldError = (name: string, message: string): void => {
      const span = prechat.querySelector(`input[name=${name}]`)?.parentElement?.querySelector('.field-error');
      if (span) span.textContent = message;
    };
    prechat.querySelectorAll('.field-error').forEach((s) => (s.textContent = ''));
    const required = last?.welcome?.prechat.required ?? [];
    const profile: PrechatProfile = {
      name: value('name'),
      topic: (prechat.querySelector<HTMLInputElement>('input[name=topic]:checked')?.value ?? 'question') as Topic,
    };
    let ok = true;
    if (!profile.name) {
      fieldError('name', t('required'));
      ok = false;
    }
    const email = value('email');
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      fieldError('email', t('badEmail'));
      ok = false;
    } else if (email) profile.email = email;
    const phone = value('phone');
    if (phone && !/^\+?[0-9][0-9 ()\-.]{4,29}$/.test(phone)) {
      fieldError('phone', t('badPhone'));
      ok = false;
    } else if (phone) profile.phone = phone;
    for (const f of required) {
      if (!profile[f]) {
        fieldError(f, t('required'));
        ok = false;
      }
    }
    if (!ok) return;
    client.setProfile(profile);
    textarea.focus();
  });

  busyEmail.addEventListener('submit', (e) => {
    e.preventDefault();
    const email = busyEmailInput.value.trim();
    const profile = client.profile();
    if (!profile) return;
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      busyHint.textContent = t('badEmail');
      return;
    }
    // The hub takes it with the customer's next message (the profile travels with each one).
    client.setProfile({ ...profile, email });
    if (last) render(last);
  });

  // ---------- composer ----------

  const submit = (): void => {
    const text = textarea.value.trim();
    if (!text) return;
    client.send(text);
    textarea.value = '';
    error.textContent = '';
  };
  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  textarea.addEventListener('input', () => client.typing(textarea.value.length > 0));
  attachBtn.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (!file) return;
    const limits = last?.welcome?.limits;
    if (limits && !limits.attachmentTypes.includes(file.type)) {
      error.textContent = t('fileType');
      return;
    }
    if (limits && file.size > limits.maxAttachmentBytes) {
      error.textContent = t('fileTooLarge', { size: formatSize(limits.maxAttachmentBytes) });
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      const dataUrl = String(reader.result);
      const preview: ChatAttachment = { name: file.name, contentType: file.type, size: file.size, url: file.type.startsWith('image/') ? URL.createObjectURL(file) : '' };
      const text = textarea.value.trim();
      textarea.value = '';
      error.textContent = '';
      client.send(text, { file: { name: file.name, contentType: file.type, dataBase64: dataUrl.slice(dataUrl.indexOf(',') + 1) }, preview });
    };
    reader.readAsDataURL(file);
  });

  // ---------- open / close ----------

  function setOpen(open: boolean): void {
    isOpen = open;
    panel.hidden = !open;
    launcher.setAttribute('aria-expanded', String(open));
    if (open) {
      unread = 0;
      client.connect();
      if (last) render(last);
      (prechat.hidden ? textarea : prechat.querySelector('input'))?.focus();
    }
    opts.onOpenChange(open);
  }
  launcher.addEventListener('click', () => setOpen(!isOpen));
  closeBtn.addEventListener('click', () => setOpen(false));
  document.addEventListener('visibilitychange', () => {
    if (isOpen && document.visibilityState === 'visible') client.markRead();
  });

  // ---------- messages ----------

  function renderFiles(bubble: HTMLElement, files: ChatAttachment[]): void {
    bubble.querySelectorAll('.att').forEach((n) => n.remove());
    for (const f of files) {
      const url = safeUrl(f.url);
      if (f.contentType.startsWith('image/') && url) {
        bubble.append(h('a', { class: 'att', href: url, target: '_blank', rel: 'noopener noreferrer' }, h('img', { src: url, alt: f.name })));
      } else if (url) {
        bubble.append(h('a', { class: 'att file', href: url, target: '_blank', rel: 'noopener noreferrer' }, `📄 ${f.name}`));
      } else {
        bubble.append(h('span', { class: 'att file' }, `📄 ${f.name}`));
      }
    }
  }

  function statusText(m: ViewMessage, isLastOwn: boolean, readAt: string | null): string {
    if (m.status === 'pending') return t('sending');
    if (m.status === 'failed') {
      const why = m.error === 'attachment_type' ? t('errAttachmentType') : m.error === 'attachment_size' ? t('errAttachmentSize') : m.error === 'prechat_required' ? t('errPrechat') : t('errInvalid');
      return `${t('failed')}: ${why}`;
    }
    if (!isLastOwn) return '';
    return readAt && m.at <= readAt ? t('read') : t('sent');
  }

  function render(state: ChatState): void {
    last = state;
    const w = state.welcome;
    const needsForm = !client.profile();
    if (w && needsForm && prechat.childElementCount === 0) buildPrechat(w.prechat.fields, w.prechat.required);
    if (!w && needsForm && prechat.childElementCount === 0) buildPrechat(['email', 'phone'], []);
    prechat.hidden = !needsForm;
    log.hidden = needsForm;
    composer.hidden = needsForm;
    typing.hidden = needsForm;

    connNotice.hidden = state.connected || !state.everConnected;
    // The agent holding the chat speaks for themselves: "nobody online" is only for chats nobody holds.
    const held = state.status?.kind === 'assigned' ? state.status : null;
    offlineNotice.hidden = state.agentsOnline !== 0 || held !== null;
    awayNotice.hidden = !held?.agentAway || needsForm;
    awayNotice.textContent = held?.agentAway ? t('agentAway', { name: held.agentName }) : '';
    const q = state.status?.kind === 'queued' ? state.status : null;
    queueNotice.hidden = !q || state.agentsOnline === 0 || needsForm;
    const busy = state.status?.kind === 'busy';
    busyNotice.hidden = !busy || state.agentsOnline === 0 || needsForm;
    if (busy) {
      const email = client.profile()?.email;
      const asksEmail = (w?.prechat.fields ?? ['email']).includes('email');
      busyEmail.hidden = Boolean(email) || !asksEmail;
      if (email) busyHint.textContent = t('busyEmailSaved', { email });
      else if (asksEmail && busyHint.textContent !== t('badEmail')) busyHint.textContent = t('busyEmailHint');
      else if (!asksEmail) busyHint.textContent = '';
    }
    if (q) {
      const place = q.position <= 1 ? t('queueNext') : t('queuePosition', { position: String(q.position) });
      queueNotice.textContent = q.expectedWaitMs === null ? place : `${place} ${t('expectedWait', { wait: waitText(t, q.expectedWaitMs) })}`;
    }
    // An agent of an earlier chat is not "with you" while the notice says nobody is online.
    subtitle.textContent = state.agentName && offlineNotice.hidden ? t('withAgent', { name: state.agentName }) : t('subtitle');
    typing.textContent = state.agentTyping === false ? '' : state.agentTyping ? t('agentTyping', { name: state.agentTyping }) : t('someoneTyping');
    if (state.fatal) error.textContent = state.fatal.startsWith('identity') ? t('errIdentity') : t('errInvalid');

    const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    const keys = new Set(state.messages.map((m) => m.key));
    for (const [key, n] of nodes) {
      if (!keys.has(key)) {
        n.el.remove();
        nodes.delete(key);
      }
    }
    if (!primed && w) {
      primed = true;
      seenAgentKeys = new Set(state.messages.filter((m) => m.direction === 'agent').map((m) => m.key));
    }
    const lastOwn = [...state.messages].reverse().find((m) => m.direction === 'customer' && m.status === 'sent');
    let newAgent = false;
    for (const m of state.messages) {
      let n = nodes.get(m.key);
      if (!n && m.direction === 'system' && m.system) {
        const el = h('div', { class: 'msg system', role: 'note', 'data-key': m.key }, systemText(t, m.system));
        n = { el, bubble: el, status: h('div'), files: '' };
        nodes.set(m.key, n);
      }
      if (!n) {
        const bubble = h('div', { class: 'bubble' }, ...withLinks(m.text));
        const status = h('div', { class: 'status' });
        const who = h('div', { class: 'who' }, m.direction === 'customer' ? t('you') : (m.author ?? t('agent')));
        const el = h('div', { class: `msg ${m.direction}`, 'data-key': m.key }, who, bubble, status);
        n = { el, bubble, status, files: '' };
        nodes.set(m.key, n);
      }
      const files = m.attachments.map((a) => a.url).join('\n');
      if (files !== n.files) {
        renderFiles(n.bubble, m.attachments);
        n.files = files;
      }
      if (m.id) n.el.setAttribute('data-id', m.id);
      n.el.setAttribute('data-status', m.status);
      n.status.textContent = m.direction === 'customer' ? statusText(m, m === lastOwn, state.agentReadAt) : '';
      n.status.className = `status${m.status === 'failed' ? ' failed' : ''}`;
      log.append(n.el);
      if (m.direction === 'agent' && !seenAgentKeys.has(m.key)) newAgent = true;
    }
    renderCsat(state);
    if (newAgent && !isOpen) unread += state.messages.filter((m) => m.direction === 'agent' && !seenAgentKeys.has(m.key)).length;
    seenAgentKeys = new Set(state.messages.filter((m) => m.direction === 'agent').map((m) => m.key));
    badge.hidden = unread === 0 || isOpen;
    badge.textContent = String(unread);
    if (nearBottom || newAgent) log.scrollTop = log.scrollHeight;
    if (isOpen && document.visibilityState === 'visible') client.markRead();
  }

  /** The satisfaction question's rating card, at the end of the conversation: 1–5, an optional comment, then thanks. */
  let csatCard: { ticketId: string; el: HTMLElement; phase: string } | null = null;
  function renderCsat(state: ChatState): void {
    const c = state.csat;
    if (!c) {
      csatCard?.el.remove();
      csatCard = null;
      return;
    }
    if (csatCard && csatCard.ticketId === c.card.ticketId && csatCard.phase === `${c.phase}:${c.error ?? ''}`) {
      log.append(csatCard.el);
      return;
    }
    csatCard?.el.remove();
    const el = h('div', { class: 'csat', role: 'group', 'aria-label': t('csatTitle'), 'data-ticket': c.card.ticketId, 'data-phase': c.phase });
    if (c.phase === 'thanks') {
      el.append(h('p', { class: 'csat-q' }, t('csatThanks')));
    } else if (c.phase === 'refused') {
      el.append(h('p', { class: 'csat-q' }, c.error === 'already_answered' ? t('csatAlready') : t('csatRefused')));
    } else {
      const comment = h('textarea', { class: 'csat-comment', rows: '2', maxlength: '2000', placeholder: t('csatComment'), 'aria-label': t('csatComment') });
      const scores = h('div', { class: 'csat-scores' });
      for (let n = 1; n <= 5; n += 1) {
        const b = h('button', { type: 'button', class: 'csat-score', 'data-score': String(n), title: t(`csatScore${n}` as 'csatScore1'), 'aria-label': t(`csatScore${n}` as 'csatScore1'), disabled: c.phase === 'sending' }, String(n));
        b.addEventListener('click', () => client.rate(n, comment.value));
        scores.append(b);
      }
      el.append(
        h('p', { class: 'csat-q' }, t('csatQuestion', { number: String(c.card.ticketNumber) })),
        scores,
        h('div', { class: 'csat-ends' }, h('span', {}, t('csatScore1')), h('span', {}, t('csatScore5'))),
        comment,
        ...(c.error ? [h('p', { class: 'csat-error', role: 'alert' }, t('csatRefused'))] : []),
      );
    }
    csatCard = { ticketId: c.card.ticketId, el, phase: `${c.phase}:${c.error ?? ''}` };
    log.append(el);
    log.scrollTop = log.scrollHeight;
  }

  if (opts.startOpen) setOpen(true);
  return { render, open: () => setOpen(true), close: () => setOpen(false) };
}
