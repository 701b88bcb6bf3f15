import type { JSX } from 'react';
import { Card } from '../../../components/Card';
import { useT } from '../../i18n/i18n';
import { useConsoleNav, type ConsoleScreen } from '../../stores/consoleNav';

const STEPS: readonly { screen: ConsoleScreen; key: 'key' | 'provider' | 'node' }[] = [
  { screen: 'keys', key: 'key' },
  { screen: 'providers', key: 'provider' },
  { screen: 'nodes', key: 'node' },
];

/** What a new organization does next, when no request went through it yet. */
export function GettingStarted(props: { hasRoutes: boolean }): JSX.Element {
  const { t } = useT();
  const go = useConsoleNav((state) => state.go);
  return (
    <Card title={t('overview.start.title')} testId="overview-empty">
      <p>{props.hasRoutes ? t('overview.start.noTraffic') : t('overview.start.noRoutes')}</p>
      <ol className="list">
        {STEPS.map((step) => (
          <li key={step.key} className="list-row">
            <span>{t(`overview.start.${step.key}`)}</span>
            <button
              type="button"
              onClick={() => go(step.screen)}
              data-testid={`overview-start-${step.key}`}
            >
              {t(`overview.start.${step.key}Go`)}
            </button>
          </li>
        ))}
      </ol>
    </Card>
  );
}
