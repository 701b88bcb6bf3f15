/** Applies the theme and language settings; `system` follows the OS and its changes. */
import { useEffect, useState } from 'react';
import type { UiSettings } from '../../../common/settings';
import { i18next, resolveLanguage } from '../i18n/i18n';
import { useResolvedTheme } from '../stores/themeStore';

const darkQuery = '(prefers-color-scheme: dark)';

function useSystemDark(): boolean {
  const [dark, setDark] = useState(() => window.matchMedia(darkQuery).matches);
  useEffect(() => {
    const media = window.matchMedia(darkQuery);
    const onChange = () => setDark(media.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);
  return dark;
}

export function useAppearance(ui: UiSettings | undefined): void {
  const systemDark = useSystemDark();
  const theme = ui?.theme ?? 'system';
  const resolved = theme === 'system' ? (systemDark ? 'dark' : 'light') : theme;
  useEffect(() => {
    document.documentElement.dataset.theme = resolved;
    useResolvedTheme.setState({ theme: resolved });
  }, [resolved]);

  const language = resolveLanguage(ui?.language ?? 'system', navigator.languages ?? []);
  useEffect(() => {
    if (i18next.language !== language) void i18next.changeLanguage(language);
    document.documentElement.lang = language;
  }, [language]);
}
