/**
 * A team's queue alert limits (`floorAlerts` on the team): supervisors are alerted when more
 * tickets than `maxWaiting` wait, or the longest-waiting one waits over `maxWaitSeconds`.
 */
export interface FloorAlertLimits {
  maxWaiting: number | null;
  maxWaitSeconds: number | null;
}

/** The stored limits as the API shows them: null when neither is set. */
export const floorAlertsOf = (a: Partial<FloorAlertLimits> | null | undefined): FloorAlertLimits | null =>
  a && (a.maxWaiting != null || a.maxWaitSeconds != null) ? { maxWaiting: a.maxWaiting ?? null, maxWaitSeconds: a.maxWaitSeconds ?? null } : null;
