import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The elements Tab can reach inside `root`, in order (radio groups count once: the checked one, else the first). */
export function tabbables(root: HTMLElement): HTMLElement[] {
  const seenGroups = new Set<string>();
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => {
    if (el.getClientRects().length === 0) return false;
    if (el instanceof HTMLInputElement && el.type === 'radio' && el.name) {
      const checked = root.querySelector<HTMLInputElement>(`input[type=radio][name="${CSS.escape(el.name)}"]:checked`);
      if (checked) return checked === el;
      if (seenGroups.has(el.name)) return false;
      seenGroups.add(el.name);
    }
    return true;
  });
}

/** One Tab stop: the same element, or radios of one group (arrow keys move inside a group). */
function sameStop(a: Element | null, b: HTMLElement): boolean {
  if (a === b) return true;
  return a instanceof HTMLInputElement && b instanceof HTMLInputElement && a.type === 'radio' && b.type === 'radio' && a.name !== '' && a.name === b.name;
}

export interface DialogProps {
  /** id of the heading that names the dialog. */
  labelledBy: string;
  onClose(): void;
  class?: string;
  testId?: string;
  /** What gets focus first (else the first focusable element). */
  initialFocus?: () => HTMLElement | null;
  children: ComponentChildren;
}

/**
 * A modal dialog: Esc closes it, Tab and Shift+Tab stay inside, keys do not reach the
 * console's global shortcuts, and focus returns to where it was when it closes.
 */
export function Dialog({ labelledBy, onClose, class: cls, testId, initialFocus, children }: DialogProps) {
  const box = useRef<HTMLDivElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const root = box.current;
    if (root) (initialFocus?.() ?? tabbables(root)[0] ?? root).focus();
    return () => {
      if (before?.isConnected) before.focus();
    };
  }, []); // only when it opens

  const onKeyDown = (e: KeyboardEvent) => {
    // A modal dialog: the console's shortcuts (j, k, ?, Ctrl+Shift+R …) wait until it closes.
    e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      closeRef.current();
      return;
    }
    const root = box.current;
    if (e.key !== 'Tab' || !root) return;
    const items = tabbables(root);
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) {
      e.preventDefault();
      return;
    }
    const active = document.activeElement;
    if (e.shiftKey && (sameStop(active, first) || !root.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (sameStop(active, last) || !root.contains(active))) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <div class="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={box}
        class={`dialog ${cls ?? ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={labelledBy}
        data-testid={testId}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        {children}
      </div>
    </div>
  );
}
