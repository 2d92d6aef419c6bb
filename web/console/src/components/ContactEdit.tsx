import { useState } from 'preact/hooks';
import { patch } from '../api';
import { useI18n } from '../i18n/index';
import type { Contact } from '../types';
import { FieldRow, useFieldErrors } from './Form';
import { EditorForm, useEditor } from './SettingsScreen';

/** The value tiers an agent may set on a customer ('' = none: the tier is not overridden). */
export const TIERS = ['platinum', 'gold', 'silver', 'bronze'] as const;
type Tier = (typeof TIERS)[number];

const SPOTS = ['name', 'tags', 'tier'] as const;
type Spot = (typeof SPOTS)[number];
const spotOf = (field: string): Spot | null => {
  const head = field.split('.')[0] ?? '';
  return (SPOTS as readonly string[]).includes(head) ? (head as Spot) : null;
};

/** Tags as typed: comma-separated, blanks dropped, each once. */
export const parseTags = (text: string): string[] => [...new Set(text.split(',').map((x) => x.trim()).filter(Boolean))];

/** A customer's name, tags and value tier; the API validates, its field errors appear at the field. */
export function ContactEditForm({
  contact,
  canSetTier,
  onCancel,
  onSaved,
}: {
  contact: Contact;
  /** Supervisors and admins: agents see the tier but may not override it (the API refuses with 403). */
  canSetTier: boolean;
  onCancel(): void;
  onSaved(c: Contact): void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState(contact.name);
  const [tags, setTags] = useState(contact.tags.join(', '));
  const [tier, setTier] = useState<Tier | ''>((TIERS as readonly string[]).includes(contact.tier ?? '') ? (contact.tier as Tier) : '');
  const fields = useFieldErrors<Spot>((s) => `contact-${s}-error`);
  const { busy, submit, showErrors, frame } = useEditor(fields, 'input[name=name]');

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    fields.set({});
    await submit(
      async () => onSaved(await patch<Contact>(`/api/v1/contacts/${contact.id}`, { name, tags: parseTags(tags), ...(canSetTier ? { tier: tier || null } : {}) })),
      (err) => showErrors(err, spotOf),
    );
  };

  return (
    <EditorForm
      {...frame}
      class="admin-form contact-form"
      testId="contact-form"
      title={t('contactEdit.title')}
      onSubmit={save}
      onCancel={onCancel}
      cancelLabel={t('contactEdit.cancel')}
      saveAction="contact-save"
      saveLabel={busy ? t('contactEdit.saving') : t('contactEdit.save')}
    >
      <FieldRow fields={fields} name="name" id="contact-name" label={t('contactEdit.name')}>
        <input
          id="contact-name"
          type="text"
          name="name"
          autoComplete="off"
          value={name}
          {...fields.aria('name')}
          onInput={(e) => {
            setName(e.currentTarget.value);
            fields.clear('name');
          }}
        />
      </FieldRow>
      <FieldRow fields={fields} name="tags" id="contact-tags" label={t('contactEdit.tags')} hint={t('contactEdit.tagsHint')}>
        <input
          id="contact-tags"
          type="text"
          name="tags"
          autoComplete="off"
          value={tags}
          {...fields.aria('tags', 'contact-tags-hint')}
          onInput={(e) => {
            setTags(e.currentTarget.value);
            fields.clear('tags');
          }}
        />
      </FieldRow>
      <FieldRow fields={fields} name="tier" id="contact-tier" label={t('contactEdit.tier')} hint={canSetTier ? t('contactEdit.tierHint') : t('contactEdit.tierLocked')}>
        <select
          id="contact-tier"
          name="tier"
          value={tier}
          disabled={!canSetTier}
          {...fields.aria('tier', 'contact-tier-hint')}
          onChange={(e) => {
            setTier(e.currentTarget.value as Tier | '');
            fields.clear('tier');
          }}
        >
          <option value="">{t('contactEdit.noTier')}</option>
          {TIERS.map((x) => (
            <option key={x} value={x}>
              {t(`values.tier.${x}`)}
            </option>
          ))}
        </select>
      </FieldRow>
    </EditorForm>
  );
}
