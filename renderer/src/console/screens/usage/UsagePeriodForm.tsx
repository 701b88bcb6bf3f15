import { useState, type JSX } from 'react';
import type { UsageGroupBy } from '../../../../../common/adminRecords';
import { NumberField, SelectField, TextField } from '../../../components/Fields';
import { SubmitRow } from '../../../components/SubmitRow';
import type { ActionState } from '../../../hooks/useAction';
import { localError } from '../../../stores/uiError';
import { useT } from '../../i18n/i18n';
import { outcomeState } from './formOutcome';
import { MAX_USAGE_DAYS, periodQuery, type PeriodInput } from './usagePeriod';

export const GROUPINGS: readonly UsageGroupBy[] = ['model', 'route', 'key', 'node'];

export interface ReportQuery {
  by: UsageGroupBy;
  since?: string;
  until?: string;
}

/** Picks the grouping and the period of the usage report; checks the period first. */
export function UsagePeriodForm(props: {
  action: ActionState;
  onSubmit: (query: ReportQuery) => void;
}): JSX.Element {
  const { t } = useT();
  const [submits, setSubmits] = useState(0);
  const [by, setBy] = useState<UsageGroupBy>('model');
  const [period, setPeriod] = useState<PeriodInput>({ days: '30', since: '', until: '' });
  const set = (part: Partial<PeriodInput>) => setPeriod((old) => ({ ...old, ...part }));
  return (
    <form
      className="form"
      noValidate
      data-testid="usage-report-form"
      data-submits={submits}
      data-state={outcomeState(props.action)}
      onSubmit={(event) => {
        event.preventDefault();
        setSubmits((count) => count + 1);
        const query = periodQuery(period, Date.now());
        if ('problem' in query) {
          props.action.fail(
            localError(t(`usage.problems.${query.problem}`, { max: MAX_USAGE_DAYS })),
          );
          return;
        }
        props.onSubmit({ by, ...query });
      }}
    >
      <div className="form inline">
        <SelectField
          label={t('usage.groupBy')}
          value={by}
          options={GROUPINGS.map((value) => ({ value, label: t(`usage.by.${value}`) }))}
          onChange={setBy}
          testId="usage-by"
        />
        <NumberField
          label={t('usage.days')}
          value={period.days}
          onChange={(days) => set({ days })}
          min={1}
          max={MAX_USAGE_DAYS}
          step={1}
          unit={t('usage.daysUnit')}
          testId="usage-days"
        />
        <TextField
          label={t('usage.since')}
          value={period.since}
          onChange={(since) => set({ since })}
          placeholder="2026-01-31"
          testId="usage-since"
        />
        <TextField
          label={t('usage.until')}
          value={period.until}
          onChange={(until) => set({ until })}
          placeholder="2026-12-31"
          testId="usage-until"
        />
      </div>
      <p className="help">{t('usage.periodHelp', { max: MAX_USAGE_DAYS })}</p>
      <SubmitRow
        action={props.action}
        testId="usage-report"
        label={t('usage.show')}
        doneText={t('usage.shown')}
      />
    </form>
  );
}
