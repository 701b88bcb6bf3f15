/** Which screen is shown. In memory only: the URL fragment holds the access token. */
import { create } from 'zustand';

export const SCREENS = [
  'overview',
  'schedule',
  'pricing',
  'earnings',
  'requests',
  'models',
  'settings',
] as const;
export type Screen = (typeof SCREENS)[number];

interface NavStore {
  screen: Screen;
  /** How many times the user navigated; screens take the focus only after a navigation. */
  navigations: number;
  go(screen: Screen): void;
}

export const useNav = create<NavStore>()((set) => ({
  screen: 'overview',
  navigations: 0,
  go: (screen) => set((state) => ({ screen, navigations: state.navigations + 1 })),
}));
