import { useCallback, useEffect, useState } from 'preact/hooks';
import { get } from '../api';

/** The `items` of a list endpoint, loaded on mount and again on `reload` (a failure keeps what was shown). */
export function useList<T>(path: string): readonly [T[], () => void] {
  const [items, setItems] = useState<T[]>([]);
  const reload = useCallback(() => {
    get<{ items: T[] }>(path).then(
      (r) => setItems(r.items),
      () => undefined,
    );
  }, [path]);
  useEffect(reload, [reload]);
  return [items, reload] as const;
}
