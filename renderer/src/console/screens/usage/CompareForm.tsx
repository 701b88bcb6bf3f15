import { useId, useState, type JSX } from 'react';
import type { CompareInput, RouteView } from '../../../../../common/adminRecords';
import { CheckField, NumberField, parseNumber, SelectField } from '../../../components/Fields';
import { SubmitRow } from '../../../components/SubmitRow';
import type { ActionState } from '../../../hooks/useAction';
import { localError } from '../../../stores/uiError';
import { useT } from '../../i18n/i18n';
import { outcomeState } from './formOutcome';

/** The gateway's bound (`MAX_COMPARE_TOKENS` in common/adminApi.ts). */
export const MAX_COMPARE_TOKENS = 4096;

/** Model, prompt and routes of a comparison; checked here before the gateway sees them. */
export function CompareForm(props: {
  orgId: string;
  routes: RouteView[];
  action: ActionState;
  onSubmit: (input: CompareInput) => void;
}): JSX.Element {
  const { t } = useT();
  const promptId = useId();
  const models = [...new Set(props.routes.flatMap((route) => route.models))].sort();
  const [submits, setSubmits] = useState(0);
  const [model, setModel] = useState('');
  const [prompt, setPrompt] = useState('');
  const [maxTokens, setMaxTokens] = useState('16');
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const serving = props.routes.filter((route) => route.models.includes(model));
  const pickModel = (value: string) => {
    setModel(value);
    const ids = props.routes.filter((r) => r.models.includes(value)).map((r) => r.id);
    setPicked(new Set(ids));
  };
  const fail = (message: string) => props.action.fail(localError(message));
  return (
    <form
      className="form"
      noValidate
      data-testid="usage-compare-form"
      data-submits={submits}
      data-state={outcomeState(props.action)}
      onSubmit={(event) => {
        event.preventDefault();
        setSubmits((count) => count + 1);
        const tokens = parseNumber(maxTokens);
        const routes = serving.filter((route) => picked.has(route.id)).map((route) => route.id);
        if (model === '') return fail(t('usage.compare.noModel'));
        if (prompt.trim() === '') return fail(t('usage.compare.noPrompt'));
        if (routes.length === 0) return fail(t('usage.compare.noRoute'));
        if (
          tokens === null ||
          !Number.isInteger(tokens) ||
          tokens < 1 ||
          tokens > MAX_COMPARE_TOKENS
        )
          return fail(t('usage.compare.badTokens', { max: MAX_COMPARE_TOKENS }));
        props.onSubmit({ orgId: props.orgId, model, prompt, maxTokens: tokens, routes });
      }}
    >
      <div className="form inline">
        <SelectField
          label={t('usage.compare.model')}
          value={model}
          options={[
            { value: '', label: t('usage.compare.pickModel') },
            ...models.map((value) => ({ value, label: value })),
          ]}
          onChange={pickModel}
          testId="usage-compare-model"
        />
        <NumberField
          label={t('usage.compare.maxTokens')}
          value={maxTokens}
          onChange={setMaxTokens}
          min={1}
          max={MAX_COMPARE_TOKENS}
          step={1}
          testId="usage-compare-max-tokens"
        />
      </div>
      <div className="field">
        <label htmlFor={promptId}>{t('usage.compare.prompt')}</label>
        <textarea
          id={promptId}
          rows={3}
          value={prompt}
          onChange={(event) => setPrompt(event.target.value)}
          data-testid="usage-compare-prompt"
        />
      </div>
      <fieldset className="checks" data-testid="usage-compare-routes">
        <legend>{t('usage.compare.routes')}</legend>
        {model === '' ? (
          <p className="help">{t('usage.compare.routesHelp')}</p>
        ) : (
          serving.map((route) => (
            <CheckField
              key={route.id}
              label={route.nodeId ? `${route.label} · ${route.nodeId}` : route.label}
              checked={picked.has(route.id)}
              onChange={(on) => {
                const next = new Set(picked);
                if (on) next.add(route.id);
                else next.delete(route.id);
                setPicked(next);
              }}
              testId={`usage-compare-route-${route.id}`}
            />
          ))
        )}
      </fieldset>
      <p className="help">{t('usage.compare.billed')}</p>
      <SubmitRow
        action={props.action}
        testId="usage-compare"
        label={t('usage.compare.submit')}
        doneText={t('usage.compare.done')}
      >
        {props.action.pending && (
          <span className="muted" role="status" data-testid="usage-compare-progress">
            {t('usage.compare.running', { count: picked.size })}
          </span>
        )}
      </SubmitRow>
    </form>
  );
}
