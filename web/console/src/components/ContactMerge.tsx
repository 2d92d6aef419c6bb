import { useState } from 'preact/hooks';
import { post } from '../api';
import { useI18n } from '../i18n/index';
import type { Contact } from '../types';
import { useContactLabel, useContactSearch } from './Contacts';
import { Dialog } from './Dialog';
import { PickConfirmFooter, useSubmission } from './Form';
import { Icon } from './Icon';

/** Supervisors and admins merge another profile of the same person into this one (`POST /api/v1/contacts/:id/merge`). */
export function ContactMergeDialog({ contact, onClose, onMerged }: { contact: Contact; onClose(): void; onMerged(merged: Contact, source: Contact): void }) {
  const { t } = useI18n();
  const label = useContactLabel();
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState<Contact | null>(null);
  const [confirming, setConfirming] = useState(false);
  const found = useContactSearch(q, 10);
  const { busy, error, setError, submit } = useSubmission();
  const candidates = (found.items ?? []).filter((c) => c.id !== contact.id);

  const merge = async (e: Event) => {
    e.preventDefault();
    if (!picked || busy) return;
    if (!confirming) {
      setConfirming(true);
      return;
    }
    await submit(async () => onMerged(await post<Contact>(`/api/v1/contacts/${contact.id}/merge`, { sourceContactId: picked.id }), picked));
  };

  return (
    <Dialog labelledBy="contact-merge-title" onClose={onClose} class="transfer-dialog merge-dialog" testId="contact-merge-dialog">
      <h2 id="contact-merge-title">{t('contactMerge.title', { name: label(contact) })}</h2>
      <form onSubmit={(e) => void merge(e)}>
        {!confirming ? (
          <>
            <p class="muted small">{t('contactMerge.hint')}</p>
            <input
              type="search"
              class="pick-filter"
              name="contact-search"
              placeholder={t('contacts.search')}
              aria-label={t('contacts.search')}
              value={q}
              onInput={(e) => {
                setQ(e.currentTarget.value);
                setPicked(null);
              }}
            />
            <div class="pick-list" role="radiogroup" aria-label={t('contactMerge.candidates')} data-testid="contact-merge-candidates">
              {found.items !== null && candidates.length === 0 && <p class="muted small pick-empty">{t('contactMerge.noCandidates')}</p>}
              {candidates.map((c) => (
                <label key={c.id} class={`pick-row ${picked?.id === c.id ? 'checked' : ''}`} data-contact-id={c.id}>
                  <input type="radio" name="merge-contact" value={c.id} checked={picked?.id === c.id} onChange={() => setPicked(c)} />
                  <span class="pick-main">
                    <span class="pick-name">{label(c)}</span>
                    <span class="pick-sub muted small">
                      {c.identities
                        .filter((i) => i.kind !== 'webchat')
                        .map((i) => i.value)
                        .join(', ')}
                    </span>
                  </span>
                </label>
              ))}
            </div>
          </>
        ) : (
          picked && (
            <div class="merge-confirm" data-testid="contact-merge-confirm">
              <p>
                <Icon name="merge" /> {t('contactMerge.confirm', { source: label(picked), target: label(contact) })}
              </p>
              <p class="muted small">{t('contactMerge.consequence')}</p>
            </div>
          )
        )}
        <PickConfirmFooter
          error={error}
          onDismissError={() => setError(null)}
          confirming={confirming}
          onBack={() => {
            setConfirming(false);
            setError(null);
          }}
          onClose={onClose}
          busy={busy}
          canSubmit={picked !== null}
          action="contact-merge"
          labels={{ back: t('contactMerge.back'), cancel: t('contactMerge.cancel'), next: t('contactMerge.next'), confirm: t('contactMerge.merge'), working: t('contactMerge.merging') }}
        />
      </form>
    </Dialog>
  );
}
