import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, post, randomId } from '../api';
import { fileSize, sendKeys } from '../format';
import { useI18n } from '../i18n/index';
import type { Realtime } from '../realtime';
import type { CannedResponse, Message, TicketSummary, User } from '../types';
import { smsSegments } from '../../../common/sms-segments';
import { currentTranslator, fieldMessage, ProblemMessage } from './ProblemMessage';
import { Icon } from './Icon';

export interface ComposerProps {
  ticket: TicketSummary;
  contactName: string;
  user: User;
  rt: Realtime;
  canned: CannedResponse[];
  /** The ticket's channel cannot send replies from this hub: say why, offer notes only. */
  cannotSend?: boolean;
  /** The channel replies go out on, when it is not the ticket's own (a phone call's ticket is answered by SMS). */
  replyChannel?: TicketSummary['channel'] | null;
  onCannedOpen(): void;
  onSent(m: Message): void;
}

/** The `/query` token right before the caret, if the agent is typing one. */
export function slashToken(text: string, caret: number): { start: number; query: string } | null {
  const m = /(^|\s)\/([^\s/]*)$/.exec(text.slice(0, caret));
  if (!m) return null;
  return { start: caret - m[2]!.length - 1, query: m[2]! };
}

export function matchCanned(items: CannedResponse[], q: string): CannedResponse[] {
  const needle = q.toLowerCase();
  if (!needle) return items.slice(0, 8);
  const starts = items.filter((c) => c.shortcut.startsWith(needle));
  const contains = items.filter(
    (c) => !c.shortcut.startsWith(needle) && (c.shortcut.includes(needle) || c.title.toLowerCase().includes(needle) || c.text.toLowerCase().includes(needle)),
  );
  return [...starts, ...contains].slice(0, 8);
}

/** A file attached to the reply being written: uploading, or uploaded with its ref. */
interface AttachedFile {
  key: string;
  name: string;
  contentType: string;
  size: number;
  ref: string | null;
}

/** The file's bytes as base64 (what POST /api/v1/attachments takes). */
const base64Of = (file: File): Promise<string> =>
  new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error ?? new Error('the file could not be read'));
    r.readAsDataURL(file);
  });

/** The API's refusal of a file, in the agent's language (its first field error), else its title. */
function uploadProblem(err: unknown, name: string): string {
  const { t, lang } = currentTranslator();
  const fe = err instanceof ApiError ? err.errors[0] : undefined;
  const why = fe ? fieldMessage(t, lang, fe) : err instanceof Error ? err.message : String(err);
  return t('composer.attachRefused', { name, reason: why });
}

const fill = (text: string, vars: { customer: string; agent: string }) =>
  text.replace(/\{\{\s*(customer(?:\.name)?|agent(?:\.name)?)\s*\}\}/g, (_m, k: string) => (k.startsWith('customer') ? vars.customer : vars.agent));

export function Composer(p: ComposerProps) {
  const { t } = useI18n();
  const [mode, setMode] = useState<'reply' | 'note'>(p.cannotSend ? 'note' : 'reply');
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [active, setActive] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [files, setFiles] = useState<AttachedFile[]>([]);
  const [fileError, setFileError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const idempotencyKey = useRef(randomId());
  const typingSent = useRef(0);
  const typingIdle = useRef<ReturnType<typeof setTimeout> | null>(null);
  const ticketId = p.ticket.id;

  const token = slashToken(text, caret);
  const pickerOpen = token !== null && dismissedAt !== token.start;
  const matches = useMemo(() => (pickerOpen && token ? matchCanned(p.canned, token.query) : []), [pickerOpen, token?.query, p.canned]);

  useEffect(() => setActive(0), [token?.query]);
  useEffect(() => {
    if (pickerOpen) p.onCannedOpen();
  }, [pickerOpen]);

  const stopTyping = () => {
    if (typingIdle.current) clearTimeout(typingIdle.current);
    typingIdle.current = null;
    if (typingSent.current) p.rt.typing(ticketId, false);
    typingSent.current = 0;
  };
  useEffect(() => stopTyping, [ticketId]);
  // A channel that cannot send opens on the internal note: that still works.
  useEffect(() => {
    if (p.cannotSend) setMode('note');
  }, [ticketId, p.cannotSend]);

  const noteTyping = () => {
    if (mode !== 'reply') return;
    const now = Date.now();
    if (now - typingSent.current > 2500) {
      p.rt.typing(ticketId, true);
      typingSent.current = now;
    }
    if (typingIdle.current) clearTimeout(typingIdle.current);
    typingIdle.current = setTimeout(stopTyping, 3000);
  };

  const insert = (c: CannedResponse) => {
    if (!token) return;
    const body = fill(c.text, { customer: p.contactName, agent: p.user.name });
    const next = text.slice(0, token.start) + body + text.slice(caret);
    const pos = token.start + body.length;
    setText(next);
    setCaret(pos);
    idempotencyKey.current = randomId();
    requestAnimationFrame(() => {
      const el = box.current;
      if (el) {
        el.focus();
        el.setSelectionRange(pos, pos);
      }
    });
  };

  /** Uploads the chosen files one by one; a refused one is named next to the Attach button. */
  const attach = async (chosen: File[]) => {
    setFileError(null);
    for (const file of chosen) {
      const key = randomId();
      const contentType = file.type || 'application/octet-stream';
      setFiles((fs) => [...fs, { key, name: file.name, contentType, size: file.size, ref: null }]);
      try {
        const up = await post<{ ref: string; size: number; contentType: string }>('/api/v1/attachments', { name: file.name, contentType, contentBase64: await base64Of(file) });
        setFiles((fs) => fs.map((f) => (f.key === key ? { ...f, ref: up.ref, size: up.size, contentType: up.contentType } : f)));
        idempotencyKey.current = randomId();
      } catch (err) {
        setFiles((fs) => fs.filter((f) => f.key !== key));
        setFileError(uploadProblem(err, file.name));
      }
    }
  };
  const uploading = files.some((f) => f.ref === null);

  const send = async () => {
    const body = text.trim();
    if (!body || busy || uploading || (mode === 'reply' && p.cannotSend)) return;
    setBusy(true);
    setError(null);
    try {
      const attachments = files.flatMap((f) => (f.ref ? [{ ref: f.ref, name: f.name, contentType: f.contentType }] : []));
      const m =
        mode === 'reply'
          ? await post<Message>(`/api/v1/tickets/${ticketId}/replies`, { text: body, ...(attachments.length ? { attachments } : {}) }, { 'Idempotency-Key': idempotencyKey.current })
          : await post<Message>(`/api/v1/tickets/${ticketId}/notes`, { text: body });
      stopTyping();
      setText('');
      setCaret(0);
      if (mode === 'reply') {
        setFiles([]);
        setFileError(null);
      }
      idempotencyKey.current = randomId();
      p.onSent(m);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      box.current?.focus();
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (pickerOpen && token) {
      if (e.key === 'ArrowDown' && matches.length) {
        e.preventDefault();
        setActive((a) => (a + 1) % matches.length);
        return;
      }
      if (e.key === 'ArrowUp' && matches.length) {
        e.preventDefault();
        setActive((a) => (a - 1 + matches.length) % matches.length);
        return;
      }
      if ((e.key === 'Enter' || e.key === 'Tab') && !e.ctrlKey && !e.metaKey && !e.shiftKey && matches.length) {
        e.preventDefault();
        const c = matches[active] ?? matches[0];
        if (c) insert(c);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setDismissedAt(token.start);
        return;
      }
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void send();
    }
  };

  const closed = p.ticket.status === 'closed';
  const outChannel = p.replyChannel ?? p.ticket.channel;
  const channel = t(`values.channel.${outChannel}`);
  const bySms = outChannel === 'sms' && p.ticket.channel !== 'sms';
  const cannotSend = p.cannotSend === true;
  const replyOff = (closed || cannotSend) && mode === 'reply';
  // SMS: how many segments the reply takes (Twilio splits it; the customer may pay per segment).
  const sms = outChannel === 'sms' && mode === 'reply' && !replyOff && text.trim() !== '' ? smsSegments(text) : null;

  return (
    <div class={`composer composer-${mode}`} data-testid="composer">
      <div class="composer-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={mode === 'reply'} class={mode === 'reply' ? 'active' : ''} onClick={() => setMode('reply')} data-mode="reply">
          <Icon name="reply" /> {t('composer.reply')}
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={mode === 'note'}
          class={mode === 'note' ? 'active' : ''}
          onClick={() => {
            stopTyping();
            setMode('note');
          }}
          data-mode="note"
        >
          <Icon name="lock" /> {t('composer.note')}
        </button>
      </div>
      {closed && mode === 'reply' && <p class="muted small composer-hint">{t('composer.closedHint')}</p>}
      {cannotSend && !closed && (
        <p class="composer-hint composer-blocked small" data-testid="reply-blocked" role="note">
          <Icon name="alert" size={12} /> {t('composer.cannotSend', { channel })}
        </p>
      )}
      <div class="composer-box">
        {pickerOpen && token && (
          <div class="canned-picker" role="listbox" aria-label={t('composer.cannedTitle')} data-testid="canned-picker">
            <div class="canned-head">
              <strong>{t('composer.cannedTitle')}</strong> <span class="muted small">{t('composer.cannedHint')}</span>
            </div>
            {matches.length === 0 && <div class="canned-empty muted">{t('composer.cannedEmpty', { query: token.query })}</div>}
            {matches.map((c, i) => (
              <div
                key={c.id}
                role="option"
                aria-selected={i === active}
                class={`canned-item ${i === active ? 'active' : ''}`}
                data-shortcut={c.shortcut}
                onMouseDown={(e) => {
                  e.preventDefault();
                  insert(c);
                }}
                onMouseEnter={() => setActive(i)}
              >
                <span class="canned-shortcut">/{c.shortcut}</span> <span class="canned-title">{c.title}</span>
                <div class="canned-text muted small">{c.text}</div>
              </div>
            ))}
          </div>
        )}
        <textarea
          ref={box}
          data-composer={mode}
          aria-label={mode === 'reply' ? t('composer.reply') : t('composer.note')}
          placeholder={
            mode === 'reply'
              ? cannotSend
                ? ''
                : t('composer.replyPlaceholder', { channel, keys: sendKeys() })
              : t('composer.notePlaceholder', { keys: sendKeys() })
          }
          value={text}
          rows={4}
          disabled={replyOff}
          onInput={(e) => {
            const el = e.currentTarget;
            setText(el.value);
            setCaret(el.selectionStart ?? el.value.length);
            setDismissedAt(null);
            if (error) idempotencyKey.current = randomId();
            noteTyping();
          }}
          onKeyUp={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
          onClick={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
          onKeyDown={onKeyDown}
        />
      </div>
      {mode === 'reply' && !replyOff && (
        <div class={`composer-files ${fileError ? 'invalid' : ''}`} data-testid="composer-files">
          {files.length > 0 && (
            <ul class="attach-list">
              {files.map((f) => (
                <li key={f.key} class="attach-chip" data-file={f.name} data-uploaded={f.ref ? 'true' : 'false'}>
                  <Icon name="clip" size={12} /> <span class="attach-name">{f.name}</span>{' '}
                  <span class="muted small">{f.ref ? fileSize(f.size) : t('composer.uploading')}</span>
                  <button
                    type="button"
                    class="icon-btn"
                    data-action="remove-file"
                    aria-label={t('composer.removeFile', { name: f.name })}
                    onClick={() => {
                      setFiles((fs) => fs.filter((x) => x.key !== f.key));
                      idempotencyKey.current = randomId();
                    }}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
          {fileError && (
            <span class="field-error" id="composer-files-error" data-field-error="attachments" role="alert">
              {fileError}
            </span>
          )}
        </div>
      )}
      <ProblemMessage error={error} onDismiss={() => setError(null)} />
      <div class="composer-actions">
        <span class="muted small">{sendKeys()}</span>
        {mode === 'reply' && !replyOff && (
          <>
            <input
              ref={fileInput}
              type="file"
              multiple
              class="sr-only"
              id="composer-file-input"
              data-testid="composer-file-input"
              aria-describedby={fileError ? 'composer-files-error' : undefined}
              onChange={(e) => {
                const chosen = [...(e.currentTarget.files ?? [])];
                e.currentTarget.value = '';
                void attach(chosen);
              }}
            />
            <button type="button" class="btn ghost" data-action="attach" disabled={busy} onClick={() => fileInput.current?.click()}>
              <Icon name="clip" /> {t('composer.attach')}
            </button>
          </>
        )}
        {sms && (
          <span class="muted small sms-segments" data-testid="sms-segments" data-segments={sms.segments}>
            {sms.segments === 1
              ? t('composer.smsSegment', { units: String(sms.units), per: String(sms.perSegment), encoding: sms.encoding })
              : t('composer.smsSegments', { count: String(sms.segments), units: String(sms.units), per: String(sms.perSegment), encoding: sms.encoding })}
          </span>
        )}
        <button type="button" class={`btn ${mode === 'reply' ? 'primary' : 'note'}`} disabled={busy || uploading || !text.trim() || replyOff} onClick={() => void send()}>
          {busy ? t('composer.sending') : mode === 'reply' ? (bySms ? t('composer.sendSms') : t('composer.send')) : t('composer.saveNote')}
        </button>
      </div>
    </div>
  );
}
