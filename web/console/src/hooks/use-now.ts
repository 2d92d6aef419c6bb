import { useEffect, useState } from 'preact/hooks';

/** The time, refreshed every `everyMs` (for "waiting 5 min" labels and SLA clocks). */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
