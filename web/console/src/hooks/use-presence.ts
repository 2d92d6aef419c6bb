import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Prefs } from '../prefs';
import type { Realtime } from '../realtime';
import type { Presence } from '../types';

type SetPrefs = (update: (p: Prefs) => Prefs) => void;

/**
 * My presence (held in the prefs, confirmed by the hub) and my colleagues' presence as heard from
 * agent.presence events since the console loaded.
 */
export function usePresence(rt: Realtime, myId: string, setPrefs: SetPrefs) {
  const [colleagues, setColleagues] = useState<Record<string, Presence>>({});

  const adopt = useCallback((presence: Presence) => setPrefs((p) => (p.presence === presence ? p : { ...p, presence })), [setPrefs]);
  // The hub tells the status it keeps for me (on connect, and after every change).
  useEffect(() => rt.onPresence(adopt), [rt, adopt]);

  /** An agent.presence event: a colleague's (or, from another tab or a supervisor, my own) status changed. */
  const heard = useCallback(
    (agentId: string, status: Presence) => {
      setColleagues((cur) => (cur[agentId] === status ? cur : { ...cur, [agentId]: status }));
      if (agentId === myId) adopt(status);
    },
    [myId, adopt],
  );

  /** I choose a status. */
  const choose = useCallback(
    (presence: Presence) => {
      setPrefs((p) => ({ ...p, presence }));
      rt.presence(presence);
    },
    [rt, setPrefs],
  );

  return { colleagues, heard, choose };
}
