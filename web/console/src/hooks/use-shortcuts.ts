import { useEffect } from 'preact/hooks';
import { useLatest } from './use-latest';

/** What the keyboard shortcuts (listed in ShortcutsHelp) do. */
export interface ShortcutActions {
  /** A settings screen is shown (no inbox to move in). */
  inSettings: boolean;
  /** A ticket is open. */
  ticketOpen: boolean;
  helpOpen: boolean;
  /** The next (1) or previous (-1) ticket of the inbox. */
  move(delta: 1 | -1): void;
  /** Resolves the open ticket. */
  resolve(): void;
  acceptFirstOffer(): void;
  toggleHelp(): void;
  closeHelp(): void;
}

/** Keys go to the field (a checkbox, such as an inbox row's, takes no letters: the shortcuts still work there). */
const isTyping = (el: EventTarget | null): boolean =>
  el instanceof HTMLElement &&
  (el.isContentEditable || ['TEXTAREA', 'SELECT'].includes(el.tagName) || (el instanceof HTMLInputElement && el.type !== 'checkbox'));

/**
 * Ctrl/⌘+Shift+R resolve, Alt+↓/↑ (and j/k outside fields) next/previous ticket, ? help, a accept the
 * first offer, r reply (focuses the composer), / the search box (outside fields: in the reply box `/`
 * starts a canned response), Esc closes the help.
 */
export function useShortcuts(actions: ShortcutActions): void {
  const latest = useLatest(actions);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const a = latest.current;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.shiftKey && (e.key === 'R' || e.key === 'r')) {
        e.preventDefault();
        a.resolve();
        return;
      }
      if (e.altKey && (e.key === 'ArrowDown' || e.key === 'ArrowUp') && !a.inSettings) {
        e.preventDefault();
        a.move(e.key === 'ArrowDown' ? 1 : -1);
        return;
      }
      if (e.key === 'Escape' && a.helpOpen) {
        a.closeHelp();
        return;
      }
      if (isTyping(e.target) || mod || e.altKey) return;
      if (a.inSettings && (e.key === 'j' || e.key === 'k')) return;
      if (e.key === 'j') a.move(1);
      else if (e.key === 'k') a.move(-1);
      else if (e.key === '?') a.toggleHelp();
      else if (e.key === 'a') a.acceptFirstOffer();
      else if (e.key === '/') {
        // The search box of the screen shown (tickets over the inbox, the contacts directory's own).
        const box = document.querySelector<HTMLInputElement>('input[data-shortcut-search]');
        if (box) {
          e.preventDefault();
          box.focus();
        }
      }
      else if (e.key === 'r' && a.ticketOpen) {
        const box = document.querySelector<HTMLTextAreaElement>('textarea[data-composer]');
        if (box) {
          e.preventDefault();
          box.focus();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [latest]);
}
