import { useState, type FormEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { RewardSettings } from '../../../../common/settings';
import type { EarningsSummary } from '../../../../common/nodeApi';
import { SubmitRow } from '../../components/SubmitRow';
import { Card } from '../../components/Card';
import { NumberField, TextField, parseNumber } from '../../components/Fields';
import { useAction } from '../../hooks/useAction';
import { useFormat } from '../../hooks/useFormat';
import { updateSettings } from '../../stores/actions';
import { localError } from '../../stores/uiError';

const PARTS = ['rewards', 'exchange', 'mission'] as const;
type Part = (typeof PARTS)[number];

interface Props {
  rewards: RewardSettings;
  /** What settled earnings went to each part, when loaded. */
  settledSplit: EarningsSummary['split'] | null;
}

/** How earnings are shared: cash, network credits and a cause, in percent adding to 100. */
export function SplitEditor({ rewards, settledSplit }: Props): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const action = useAction();
  const [split, setSplit] = useState<Record<Part, string>>({
    rewards: String(rewards.split.rewards),
    exchange: String(rewards.split.exchange),
    mission: String(rewards.split.mission),
  });
  const [cause, setCause] = useState(rewards.missionCause ?? '');
  const values = PARTS.map((part) => parseNumber(split[part]));
  const total = values.reduce<number>((sum, value) => sum + (value ?? 0), 0);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (values.some((value) => value === null || !Number.isInteger(value) || value < 0)) {
      action.fail(localError(t('split.wholeNumbers')));
      return;
    }
    if (total !== 100) {
      action.fail(localError(t('split.mustAddUp', { total })));
      return;
    }
    const [rewardsPart, exchange, mission] = values as number[];
    void action.run(() =>
      updateSettings({
        rewards: {
          split: { rewards: rewardsPart!, exchange: exchange!, mission: mission! },
          missionCause: cause.trim() === '' ? null : cause.trim(),
        },
      }),
    );
  };

  return (
    <Card title={t('split.title')} testId="split-editor">
      <p className="muted">{t('split.intro')}</p>
      <form className="form" onSubmit={submit}>
        <div className="form inline">
          {PARTS.map((part) => (
            <NumberField
              key={part}
              label={t(`split.${part}`)}
              value={split[part]}
              onChange={(value) => setSplit((all) => ({ ...all, [part]: value }))}
              min={0}
              max={100}
              step={1}
              unit="%"
              help={
                settledSplit
                  ? t('split.settled', { amount: format.usd(settledSplit[part]) })
                  : undefined
              }
              testId={`split-${part}`}
            />
          ))}
        </div>
        <p
          className={total === 100 ? 'muted' : 'warn-text'}
          data-testid="split-total"
          aria-live="polite"
        >
          {t('split.total', { total })}
        </p>
        <TextField
          label={t('split.cause')}
          value={cause}
          onChange={setCause}
          help={t('split.causeHelp')}
          testId="split-cause"
        />
        <SubmitRow action={action} testId="split" />
      </form>
    </Card>
  );
}
