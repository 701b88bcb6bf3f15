/** Which console screen is shown (in memory only), and the theme the user picked. */
import { create } from 'zustand';

export const CONSOLE_SCREENS = [
  'overview',
  'keys',
  'nodes',
  'providers',
  'routing',
  'playground',
  'limits',
  'usage',
  'audit',
  'orgs',
] as const;
export type ConsoleScreen = (typeof CONSOLE_SCREENS)[number];

/** Screens only the network operator sees. */
export const OPERATOR_SCREENS: ReadonlySet<ConsoleScreen> = new Set(['orgs']);

export type ThemeChoice = 'system' | 'light' | 'dark';

interface ConsoleNav {
  screen: ConsoleScreen;
  theme: ThemeChoice;
  go(screen: ConsoleScreen): void;
  setTheme(theme: ThemeChoice): void;
}

export const useConsoleNav = create<ConsoleNav>()((set) => ({
  screen: 'overview',
  theme: 'system',
  go: (screen) => set({ screen }),
  setTheme: (theme) => set({ theme }),
}));
