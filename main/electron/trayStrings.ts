/**
 * The tray's words in each language the dashboard speaks (English and French), picked from
 * the settings' `ui.language`; `system` follows the OS's language when it is one of these.
 * The engine's own reasons (why paused, why offline) arrive in English and are shown as sent.
 */
import type { ScheduleMode, UiSettings } from '../../common/settings.js';

export type TrayLanguage = 'en' | 'fr';

/** Every text the tray shows, for one language. */
export interface TrayStrings {
  modes: Record<ScheduleMode, string>;
  pauseHour: string;
  resume: string;
  openDashboard: string;
  whyNotEarning: string;
  restartEngine: string;
  openLogs: string;
  quit: string;
  /** "Restart to update (0.2.0)". */
  restartToUpdate: (version: string) => string;
  today: (amount: string) => string;
  engineRestarting: string;
  engineNotRunning: string;
  engineNotRunningBecause: (error: string) => string;
  engineStarting: string;
  waitingForEngine: string;
  notJoined: string;
  updateRequired: string;
  offline: (reason: string | null) => string;
  /** The tooltip's words for each tray state. */
  states: Record<'serving' | 'waiting' | 'paused' | 'offline' | 'error', string>;
  tokensPerSecond: string;
  tokensServed: string;
}

const EN: TrayStrings = {
  modes: {
    idle: 'Only when idle',
    always: 'Always on',
    scheduled: 'On a schedule',
    paused: 'Paused until resumed',
  },
  pauseHour: 'Pause for 1 hour',
  resume: 'Resume',
  openDashboard: 'Open dashboard',
  whyNotEarning: 'Why am I not earning?',
  restartEngine: 'Restart engine now',
  openLogs: 'Open logs folder',
  quit: 'Quit BYOI Node',
  restartToUpdate: (version) => `Restart to update (${version})`,
  today: (amount) => `Today: ${amount}`,
  engineRestarting: 'Engine stopped unexpectedly; restarting…',
  engineNotRunning: 'Engine not running',
  engineNotRunningBecause: (error) => `Engine not running: ${error}`,
  engineStarting: 'Starting the engine…',
  waitingForEngine: 'Waiting for the engine…',
  notJoined: 'Not on the network yet: join from the dashboard',
  updateRequired: 'Update required: the network no longer accepts this version',
  offline: (reason) => `Offline: ${reason ?? 'connecting to the network…'}`,
  states: {
    serving: 'serving',
    waiting: 'waiting',
    paused: 'paused',
    offline: 'offline',
    error: 'engine problem',
  },
  tokensPerSecond: 'tokens/s',
  tokensServed: 'tokens served',
};

const FR: TrayStrings = {
  modes: {
    idle: 'Seulement au repos',
    always: 'Toujours',
    scheduled: 'Selon un planning',
    paused: "En pause jusqu'à reprise",
  },
  pauseHour: "Pause d'une heure",
  resume: 'Reprendre',
  openDashboard: 'Ouvrir le tableau de bord',
  whyNotEarning: 'Pourquoi je ne gagne rien ?',
  restartEngine: 'Redémarrer le moteur',
  openLogs: 'Ouvrir le dossier des journaux',
  quit: 'Quitter BYOI Node',
  restartToUpdate: (version) => `Redémarrer pour mettre à jour (${version})`,
  today: (amount) => `Aujourd'hui : ${amount}`,
  engineRestarting: "Le moteur s'est arrêté ; redémarrage…",
  engineNotRunning: 'Moteur arrêté',
  engineNotRunningBecause: (error) => `Moteur arrêté : ${error}`,
  engineStarting: 'Démarrage du moteur…',
  waitingForEngine: 'En attente du moteur…',
  notJoined: 'Pas encore sur le réseau : rejoignez-le depuis le tableau de bord',
  updateRequired: "Mise à jour requise : le réseau n'accepte plus cette version",
  offline: (reason) => `Hors ligne : ${reason ?? 'connexion au réseau…'}`,
  states: {
    serving: 'en service',
    waiting: 'en attente',
    paused: 'en pause',
    offline: 'hors ligne',
    error: 'problème de moteur',
  },
  tokensPerSecond: 'jetons/s',
  tokensServed: 'jetons servis',
};

export const TRAY_STRINGS: Readonly<Record<TrayLanguage, TrayStrings>> = { en: EN, fr: FR };

/** The tray's language: the setting, or the OS locale (e.g. `fr-CA`) for `system`. */
export function trayLanguage(setting: UiSettings['language'], osLocale: string): TrayLanguage {
  if (setting !== 'system') return setting;
  return osLocale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}
