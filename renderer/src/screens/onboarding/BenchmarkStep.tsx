import { useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { BenchmarkResult } from '../../../../common/nodeApi';
import { ActionStatus } from '../../components/ActionStatus';
import { Stat } from '../../components/Card';
import { useAction } from '../../hooks/useAction';
import { useFormat } from '../../hooks/useFormat';
import { runBenchmark } from '../../stores/actions';

/** A short local generation: tokens/s, time to first token, and what that may earn. */
export function BenchmarkStep({ model }: { model: string | null }): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const action = useAction();
  const [result, setResult] = useState<BenchmarkResult | null>(null);
  if (!model) return <p className="empty">{t('onboarding.benchmark.noModel')}</p>;
  const run = () =>
    void action.run(async () => {
      setResult(await runBenchmark(model));
    });
  return (
    <>
      <p className="muted">{t('onboarding.benchmark.intro', { model })}</p>
      <div className="row">
        <button type="button" onClick={run} disabled={action.pending} data-testid="benchmark-run">
          {action.pending ? t('onboarding.benchmark.running') : t('onboarding.benchmark.run')}
        </button>
        <ActionStatus action={action} doneText={t('common.done')} />
      </div>
      {result && (
        <div className="stats-grid" data-testid="benchmark-result">
          <Stat
            label={t('onboarding.benchmark.tokensPerSecond')}
            value={format.number(result.tokensPerSecond)}
            testId="benchmark-tps"
          />
          <Stat
            label={t('onboarding.benchmark.ttft')}
            value={t('units.ms', { value: format.number(result.timeToFirstTokenMs, 0) })}
          />
          <Stat
            label={t('onboarding.benchmark.earnings')}
            value={
              result.earningsPerHour === null
                ? t('onboarding.benchmark.noPrice')
                : t('pricing.perHour', { amount: format.usd(result.earningsPerHour) })
            }
            hint={t('onboarding.benchmark.earningsHelp')}
          />
        </div>
      )}
    </>
  );
}
