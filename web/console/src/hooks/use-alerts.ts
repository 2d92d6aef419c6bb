import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { get } from '../api';
import { useI18n } from '../i18n/index';
import { askNotificationPermission, beep, desktopNotify, notificationState, unlockAudio, type NotificationState } from '../notify';
import { navigate } from '../router';
import type { HubEvent, TicketSummary } from '../types';
import { useLatest } from './use-latest';

/**
 * New-work alerts: a beep (when the agent has sound on) and a desktop notification (when allowed and
 * the console is not in front), which opens the ticket when clicked. `notif` is the browser's permission.
 */
export function useAlerts(sound: boolean) {
  const { t } = useI18n();
  const [notif, setNotif] = useState<NotificationState>(notificationState);
  const soundRef = useLatest(sound);

  // Browsers only play sound after a gesture: the first click or key unlocks it.
  useEffect(() => {
    const unlock = () => unlockAudio();
    window.addEventListener('pointerdown', unlock);
    window.addEventListener('keydown', unlock);
    return () => {
      window.removeEventListener('pointerdown', unlock);
      window.removeEventListener('keydown', unlock);
    };
  }, []);

  /** Asks for the permission (from a click). */
  const enableNotifications = useCallback(async () => {
    unlockAudio();
    setNotif(await askNotificationPermission());
  }, []);

  const alert = useCallback(
    (title: string, body: string, tag: string, open?: string) => {
      if (soundRef.current) beep();
      desktopNotify(title, body, tag, open ? () => navigate({ view: 'mine', ticketId: open }) : undefined);
    },
    [soundRef],
  );

  const alerts = useMemo(
    () => ({
      /** A new ticket for me to see. */
      newTicket(ev: Extract<HubEvent, { type: 'ticket.created' }>) {
        alert(
          t('notify.newTicket', { number: ev.number }),
          t('notify.newTicketBody', { type: t(`values.type.${ev.ticketType}`), channel: t(`values.channel.${ev.channel}`) }),
          `ticket-${ev.ticketId}`,
          ev.ticketId,
        );
      },
      /** A ticket offered or assigned to me. */
      assigned(ticketId: string) {
        alert(t('notify.assigned'), '', `assigned-${ticketId}`, ticketId);
      },
      /** Nobody in the team will take the ticket: supervisors are alerted. */
      needsAttention(ticketId: string) {
        get<{ ticket: TicketSummary }>(`/api/v1/tickets/${ticketId}`).then(
          (d) => alert(t('notify.needsAttention', { number: d.ticket.number }), t('notify.needsAttentionBody'), `attention-${ticketId}`, ticketId),
          () => undefined,
        );
      },
      /** A supervisor's floor alert (queue over its limit, SLA breach): to the ticket, or the floor. */
      floor(title: string, body: string, tag: string, ticketId: string | null) {
        if (soundRef.current) beep();
        desktopNotify(title, body, tag, () => navigate(ticketId ? { view: 'all', ticketId } : { view: 'mine', ticketId: null, floor: true }));
      },
      /** The customer wrote on a ticket of mine. */
      newMessage(ticket: TicketSummary) {
        alert(t('notify.newMessage', { number: ticket.number }), ticket.subject, `msg-${ticket.id}`, ticket.id);
      },
    }),
    [alert, t],
  );

  return { notif, enableNotifications, alerts };
}
