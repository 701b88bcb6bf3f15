import { useCallback, useRef, useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionStatus } from '../../components/ActionStatus';
import { ConnectionBanner } from '../../components/ConnectionBanner';
import { useAction } from '../../hooks/useAction';
import { updateSettings } from '../../stores/actions';
import { BenchmarkStep } from './BenchmarkStep';
import { HardwareStep } from './HardwareStep';
import { ModelStep } from './ModelStep';
import { NetworkStep } from './NetworkStep';
import { PricesStep } from './PricesStep';
import { ScheduleStep } from './ScheduleStep';
import type { StepCommit } from './stepCommit';

const STEPS = [
  'hardware',
  'model',
  'benchmark',
  'network',
  'schedule',
  'prices',
  'finish',
] as const;
type Step = (typeof STEPS)[number];

/**
 * First run: hardware, a model, a benchmark, the network, the schedule and prices. Each step
 * may save on "Next"; the whole thing can be skipped. Shown while `onboarded` is false.
 */
export function Onboarding(): JSX.Element {
  const { t } = useTranslation();
  const [index, setIndex] = useState(0);
  const [model, setModel] = useState<string | null>(null);
  const commit = useRef<StepCommit | null>(null);
  const moving = useAction();
  const finishing = useAction();
  const step: Step = STEPS[index]!;

  const register = useCallback((fn: StepCommit | null) => {
    commit.current = fn;
  }, []);
  const next = () =>
    void moving.run(async () => {
      if (commit.current && !(await commit.current())) return;
      commit.current = null;
      setIndex((value) => Math.min(value + 1, STEPS.length - 1));
    });
  const back = () => {
    commit.current = null;
    setIndex((value) => Math.max(value - 1, 0));
  };
  const finish = () => void finishing.run(() => updateSettings({ onboarded: true }));

  return (
    <main className="onboarding" data-testid="onboarding">
      <header className="onboarding-header">
        <h1 data-testid="app-title">{t('onboarding.title')}</h1>
        <button
          type="button"
          className="link-button"
          onClick={finish}
          data-testid="onboarding-skip"
        >
          {t('onboarding.skip')}
        </button>
      </header>
      <ConnectionBanner />
      <ol className="stepper" aria-label={t('onboarding.steps')}>
        {STEPS.map((id, position) => (
          <li
            key={id}
            aria-current={position === index ? 'step' : undefined}
            className={position < index ? 'done' : undefined}
          >
            {t(`onboarding.step.${id}`)}
          </li>
        ))}
      </ol>
      <section className="card onboarding-step" data-testid={`onboarding-step-${step}`}>
        <h2>{t(`onboarding.step.${step}`)}</h2>
        {step === 'hardware' && <HardwareStep />}
        {step === 'model' && <ModelStep selected={model} onSelect={setModel} />}
        {step === 'benchmark' && <BenchmarkStep model={model} />}
        {step === 'network' && <NetworkStep />}
        {step === 'schedule' && <ScheduleStep register={register} />}
        {step === 'prices' && <PricesStep register={register} />}
        {step === 'finish' && <p>{t('onboarding.finishText')}</p>}
      </section>
      <footer className="row onboarding-footer">
        <button type="button" onClick={back} disabled={index === 0} data-testid="onboarding-back">
          {t('common.back')}
        </button>
        {step === 'finish' ? (
          <button
            type="button"
            className="primary"
            onClick={finish}
            disabled={finishing.pending}
            data-testid="onboarding-finish"
          >
            {t('onboarding.finish')}
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            onClick={next}
            disabled={moving.pending}
            data-testid="onboarding-next"
          >
            {t('common.next')}
          </button>
        )}
        <ActionStatus action={moving} />
        <ActionStatus action={finishing} />
      </footer>
    </main>
  );
}
