import { useRef } from 'preact/hooks';

/** A ref that always holds the value of the latest render (for listeners that outlive renders). */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}
