import { useEffect, useMemo, useState } from 'preact/hooks';
import { connectRealtime, type Realtime } from '../realtime';

/** The console's socket.io connection (one per session token) and whether it is up. */
export function useRealtime(token: string | null): { rt: Realtime; connected: boolean } {
  const rt: Realtime = useMemo(() => connectRealtime(token), [token]);
  const [connected, setConnected] = useState(false);
  useEffect(() => () => rt.close(), [rt]);
  useEffect(() => rt.onStatus(setConnected), [rt]);
  return { rt, connected };
}
