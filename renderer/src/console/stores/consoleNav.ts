/** Which console screen is shown (in memory only), and the theme the user picked. */
import { create } from 'zustand';

export const CONSOLE_SCREENS = ['keys', 'nodes'] as const;
export type ConsoleScreen = (typeof CONSOLE_SCREENS)[number];

export type ThemeChoice = 'system' | 'light' | 'dark';

interface ConsoleNav {
  screen: ConsoleScreen;
  theme: ThemeChoice;
  go(screen: ConsoleScreen): void;
  setTheme(theme: ThemeChoice): void;
}

export const useConsoleNav = create<ConsoleNav>()((set) => ({
  screen: 'keys',
  theme: 'system',
  go: (screen) => set({ screen }),
  setTheme: (theme) => set({ theme }),
}));
