import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';

export interface Selection {
  /** The selected ids, in the list's order. */
  ids: string[];
  has(id: string): boolean;
  /** Sets one row; with `range` (shift-click) every row between the last one clicked and this one too. */
  set(id: string, on: boolean, range: boolean): void;
  /** Every visible row on, or all off. */
  setAll(on: boolean): void;
  clear(): void;
  /** Keeps only these ids selected (what is left after a bulk change). */
  keep(ids: readonly string[]): void;
  all: boolean;
  some: boolean;
}

/** Which rows of a list are selected for a bulk action: rows that leave the list leave the selection. */
export function useSelection(visible: readonly string[], resetKey: string): Selection {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const anchor = useRef<string | null>(null);
  const order = visible.join(',');

  useEffect(() => {
    setSelected(new Set());
    anchor.current = null;
  }, [resetKey]);
  useEffect(() => {
    const shown = new Set(order ? order.split(',') : []);
    setSelected((cur) => ([...cur].every((id) => shown.has(id)) ? cur : new Set([...cur].filter((id) => shown.has(id)))));
  }, [order]);

  const set = useCallback(
    (id: string, on: boolean, range: boolean) => {
      const from = anchor.current ? visible.indexOf(anchor.current) : -1;
      const to = visible.indexOf(id);
      const ids = range && from >= 0 && to >= 0 ? visible.slice(Math.min(from, to), Math.max(from, to) + 1) : [id];
      anchor.current = id;
      setSelected((cur) => {
        const next = new Set(cur);
        for (const x of ids) {
          if (on) next.add(x);
          else next.delete(x);
        }
        return next;
      });
    },
    [visible],
  );

  return useMemo(() => {
    const ids = visible.filter((id) => selected.has(id));
    return {
      ids,
      has: (id: string) => selected.has(id),
      set,
      setAll: (on: boolean) => setSelected(on ? new Set(visible) : new Set()),
      clear: () => setSelected(new Set()),
      keep: (keep: readonly string[]) => setSelected(new Set(keep)),
      all: visible.length > 0 && ids.length === visible.length,
      some: ids.length > 0,
    };
  }, [visible, selected, set]);
}
