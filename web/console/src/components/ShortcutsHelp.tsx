import { useEffect, useRef } from 'preact/hooks';
import { isMac } from '../format';
import { useI18n, type MsgKey } from '../i18n/index';

export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const mod = isMac() ? '⌘' : 'Ctrl';
  const closeBtn = useRef<HTMLButtonElement>(null);
  useEffect(() => closeBtn.current?.focus(), []);
  const rows: Array<[string[], MsgKey]> = [
    [['j', 'Alt+↓'], 'shortcuts.next'],
    [['k', 'Alt+↑'], 'shortcuts.previous'],
    [[`${mod}+Shift+R`], 'shortcuts.resolve'],
    [[`${mod}+Enter`], 'shortcuts.send'],
    [['/'], 'shortcuts.search'],
    [['/'], 'shortcuts.canned'],
    [['r'], 'shortcuts.focusReply'],
    [['a'], 'shortcuts.accept'],
    [['?'], 'shortcuts.help'],
  ];
  return (
    <div class="overlay" onClick={onClose}>
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" data-testid="shortcuts" onClick={(e) => e.stopPropagation()}>
        <h2 id="shortcuts-title">{t('shortcuts.title')}</h2>
        <table class="shortcut-table">
          <tbody>
            {rows.map(([keys, label]) => (
              <tr key={label}>
                <td>
                  {keys.map((k, i) => (
                    <span key={k}>
                      {i > 0 && ' / '}
                      <kbd>{k}</kbd>
                    </span>
                  ))}
                </td>
                <td>{t(label)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button ref={closeBtn} type="button" class="btn" onClick={onClose}>
          {t('shortcuts.close')} <kbd>Esc</kbd>
        </button>
      </div>
    </div>
  );
}
