/** New-work alerts: a short WebAudio beep (no sound file) and a desktop notification. */

let audio: AudioContext | null = null;

/** Browsers allow audio only after a user gesture: call this from one (any click or key). */
export function unlockAudio(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
  } catch {
    audio = null;
  }
}

let lastBeep = 0;

/** Two short rising tones; at most one alert every 1.5 s. */
export function beep(): boolean {
  const now = Date.now();
  if (!audio || audio.state !== 'running' || now - lastBeep < 1500) return false;
  lastBeep = now;
  const t0 = audio.currentTime;
  for (const [i, freq] of [880, 1320].entries()) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    const start = t0 + i * 0.14;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.18, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.12);
    osc.connect(gain).connect(audio.destination);
    osc.start(start);
    osc.stop(start + 0.13);
  }
  return true;
}

export type NotificationState = 'unsupported' | 'default' | 'granted' | 'denied';

export function notificationState(): NotificationState {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Asks for permission; call it from a click (browsers ignore requests without a gesture). */
export async function askNotificationPermission(): Promise<NotificationState> {
  if (typeof Notification === 'undefined') return 'unsupported';
  try {
    return await Notification.requestPermission();
  } catch {
    return Notification.permission;
  }
}

/** A desktop notification, when allowed and the console is not in front of the agent. */
export function desktopNotify(title: string, body: string, tag: string, onClick?: () => void): void {
  if (notificationState() !== 'granted') return;
  if (!document.hidden && document.hasFocus()) return;
  try {
    const n = new Notification(title, { body, tag });
    n.onclick = () => {
      window.focus();
      onClick?.();
      n.close();
    };
  } catch {
    /* some browsers allow notifications only from a service worker */
  }
}
