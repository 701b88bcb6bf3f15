/** Applies the console's theme choice (`system` follows the OS) and its language. */
import { useEffect, useState } from 'react';
import { useResolvedTheme } from '../../stores/themeStore';
import { useT } from '../i18n/i18n';
import { useConsoleNav } from '../stores/consoleNav';

const darkQuery = '(prefers-color-scheme: dark)';

export function useConsoleAppearance(): void {
  const theme = useConsoleNav((state) => state.theme);
  const { language } = useT();
  const [systemDark, setSystemDark] = useState(() => window.matchMedia(darkQuery).matches);
  useEffect(() => {
    const media = window.matchMedia(darkQuery);
    const onChange = () => setSystemDark(media.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);
  const resolved = theme === 'system' ? (systemDark ? 'dark' : 'light') : theme;
  useEffect(() => {
    document.documentElement.dataset.theme = resolved;
    useResolvedTheme.setState({ theme: resolved });
  }, [resolved]);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
}
