import { useEffect, useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { LogEntry } from '../../../../common/nodeApi';
import { ResourceView } from '../../components/AsyncStates';
import { Card } from '../../components/Card';
import { SelectField } from '../../components/Fields';
import { useFormat } from '../../hooks/useFormat';
import { useLogs } from '../../stores/engineStores';

type Level = LogEntry['level'];
const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];
const SHOWN = 200;

/** The engine's recent log lines, newest first, live, filtered by level. */
export function LogsViewer(): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const logs = useLogs();
  const [minimum, setMinimum] = useState<Level>('info');
  useEffect(() => {
    void useLogs.getState().load();
  }, []);
  const shown = (entries: LogEntry[]) =>
    entries
      .filter((entry) => LEVELS.indexOf(entry.level) >= LEVELS.indexOf(minimum))
      .slice(-SHOWN)
      .reverse();
  return (
    <Card
      title={t('logs.title')}
      testId="logs"
      actions={
        <button
          type="button"
          onClick={() => void logs.load()}
          disabled={logs.loading}
          data-testid="logs-refresh"
        >
          {t('common.refresh')}
        </button>
      }
    >
      <SelectField
        label={t('logs.level')}
        value={minimum}
        options={LEVELS.map((level) => ({ value: level, label: t(`logs.levels.${level}`) }))}
        onChange={setMinimum}
      />
      <ResourceView
        {...logs}
        onRetry={() => void logs.load()}
        empty={{ when: (entries) => shown(entries).length === 0, text: t('logs.empty') }}
      >
        {(entries) => (
          <ol className="logs" data-testid="log-lines">
            {shown(entries).map((entry, index) => (
              <li key={`${entry.time}-${index}`} className={`log ${entry.level}`}>
                <time dateTime={entry.time}>{format.dateTime(entry.time)}</time>{' '}
                <span className="log-level">{t(`logs.levels.${entry.level}`)}</span>{' '}
                <span>{entry.msg}</span>
                {Object.keys(entry.fields).length > 0 && (
                  <code className="log-fields">{JSON.stringify(entry.fields)}</code>
                )}
              </li>
            ))}
          </ol>
        )}
      </ResourceView>
    </Card>
  );
}
