import type { JSX } from 'react';
import { useT } from '../../i18n/i18n';
import { useFormat } from '../../../hooks/useFormat';
import { QUOTA_WARNING_PERCENT } from './limitBounds';

/** Usage against one quota: the figures, a bar, and a warning from 80 % on. */
export function QuotaMeter(props: {
  label: string;
  used: number;
  limit: number;
  show: (value: number) => string;
  testId: string;
}): JSX.Element {
  const { t } = useT();
  const format = useFormat();
  const percent = props.limit > 0 ? (props.used / props.limit) * 100 : 100;
  const level = percent >= 100 ? 'reached' : percent >= QUOTA_WARNING_PERCENT ? 'warning' : 'ok';
  return (
    <div className="progress" data-testid={props.testId} data-level={level}>
      <span>
        {props.label}:{' '}
        {t('limits.usedOf', { used: props.show(props.used), limit: props.show(props.limit) })} (
        <span data-testid={`${props.testId}-percent`}>{format.percent(percent)}</span>)
      </span>
      <progress value={Math.min(percent, 100)} max={100} aria-label={props.label} />
      {level === 'reached' && (
        <p className="banner bad" role="alert" data-testid={`${props.testId}-reached`}>
          {t('limits.quotaReached')}
        </p>
      )}
      {level === 'warning' && (
        <p className="banner warn" role="status" data-testid={`${props.testId}-warning`}>
          {t('limits.quotaWarning', { percent: format.percent(percent) })}
        </p>
      )}
    </div>
  );
}
