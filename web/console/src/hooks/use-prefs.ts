import { useEffect, useState } from 'preact/hooks';
import { loadPrefs, savePrefs, type Prefs } from '../prefs';

/** The agent's console preferences (filters, sort, sound, presence), kept in localStorage. */
export function usePrefs() {
  const [prefs, setPrefs] = useState<Prefs>(loadPrefs);
  useEffect(() => savePrefs(prefs), [prefs]);
  return [prefs, setPrefs] as const;
}
