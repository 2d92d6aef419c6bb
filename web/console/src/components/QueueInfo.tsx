import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { get } from '../api';
import { duration } from '../format';
import { useI18n } from '../i18n/index';
import type { Realtime } from '../realtime';
import { ticketOf, type HubEvent, type QueuePosition } from '../types';
import { Icon } from './Icon';

export interface QueueInfoProps {
  ticketId: string;
  /** The ticket's team as the ticket says (routing's own answer may name another after a transfer). */
  teamId: string | null;
  teamName: string | null;
  rt: Realtime;
  /** Bumped when a live event concerns the ticket. */
  reloadKey: number;
}

/** Polling while nothing is heard over the socket: at most this often, only while the page is visible. */
export const QUEUE_POLL_MS = 15_000;

/** Whether a live event can move this ticket's place: routing of the ticket itself or of its team's queue. */
export function movesQueue(ev: HubEvent, ticketId: string, teamIds: ReadonlyArray<string | null | undefined>): boolean {
  if (!ev.type.startsWith('routing.')) return false;
  if (ticketOf(ev) === ticketId) return true;
  const teams = teamIds.filter((x): x is string => Boolean(x));
  const evTeams = ev.type === 'routing.transferred' ? [ev.fromTeamId, ev.toTeamId] : ['teamId' in ev ? ev.teamId : null];
  return evTeams.some((x) => typeof x === 'string' && teams.includes(x));
}

/**
 * A waiting ticket's place in its queue and the expected wait (GET /tickets/:id/queue-position),
 * fetched again when routing events of the ticket or its team arrive, else every 15 s while visible.
 */
export function QueueInfo({ ticketId, teamId, teamName, rt, reloadKey }: QueueInfoProps) {
  const { t, lang } = useI18n();
  const [pos, setPos] = useState<QueuePosition | null>(null);
  const seq = useRef(0);
  const poll = useRef<ReturnType<typeof setTimeout> | null>(null);
  const soon = useRef<ReturnType<typeof setTimeout> | null>(null);
  const due = useRef(false);

  const fetchNow = useCallback(async () => {
    const mine = ++seq.current;
    if (poll.current) clearTimeout(poll.current);
    due.current = false;
    // The next poll counts from now, whatever caused this one.
    poll.current = setTimeout(() => {
      if (document.hidden) due.current = true;
      else void fetchNow();
    }, QUEUE_POLL_MS);
    try {
      const p = await get<QueuePosition>(`/api/v1/tickets/${ticketId}/queue-position`);
      if (mine === seq.current) setPos(p);
    } catch {
      /* keeps what it showed; the next event or poll tries again */
    }
  }, [ticketId]);

  useEffect(() => {
    void fetchNow();
  }, [fetchNow, reloadKey]);

  useEffect(() => {
    const onVisible = () => {
      if (!document.hidden && due.current) void fetchNow();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      if (poll.current) clearTimeout(poll.current);
      if (soon.current) clearTimeout(soon.current);
    };
  }, [fetchNow]);

  // Routing events come in bursts (queued, offered, assigned): one fetch shortly after.
  const teamRef = useRef<Array<string | null | undefined>>([]);
  teamRef.current = [teamId, pos?.teamId];
  useEffect(
    () =>
      rt.on((ev) => {
        // Events of the ticket itself already bump reloadKey (the effect above fetches).
        if (ticketOf(ev) === ticketId || !movesQueue(ev, ticketId, teamRef.current)) return;
        if (soon.current) clearTimeout(soon.current);
        soon.current = setTimeout(() => void fetchNow(), 150);
      }),
    [rt, ticketId, fetchNow],
  );

  if (!pos || (pos.state !== 'queued' && pos.state !== 'offered')) return null;

  let wait: string;
  if (pos.state === 'queued' && pos.needsAttention) wait = t('queue.allDeclined');
  else if (pos.expectedWaitMs === null) wait = t('queue.noAgent');
  else if (pos.expectedWaitMs < 60_000) wait = t('queue.waitUnderMinute');
  else wait = t('queue.expectedWait', { time: duration(pos.expectedWaitMs, lang) });

  return (
    <div class="queue-info" role="status" data-testid="queue-info" data-state={pos.state} data-position={pos.position} data-queue-length={pos.queueLength}>
      <Icon name="clock" />
      {pos.state === 'offered' ? (
        <span>{t('queue.offered')}</span>
      ) : (
        <>
          <strong class="queue-position">{t('queue.position', { position: pos.position, length: pos.queueLength })}</strong>
          {teamName && <span class="muted">{t('queue.inTeam', { team: teamName })}</span>}
          <span class="queue-wait">{wait}</span>
        </>
      )}
    </div>
  );
}
