import { useState, type JSX } from 'react';
import type { RoutingRule, RoutingStrategy } from '../../../../../common/adminRecords';
import { Card } from '../../../components/Card';
import { CheckField, NumberField, SelectField, TextField } from '../../../components/Fields';
import { SubmitRow } from '../../../components/SubmitRow';
import { useAction } from '../../../hooks/useAction';
import { localError } from '../../../stores/uiError';
import { admin } from '../../api/consoleApi';
import { useT, type ConsoleKey } from '../../i18n/i18n';
import { describeRule } from './describeRule';
import { RouteListEditor, type RouteChoice } from './RouteListEditor';
import { draftOf, fieldsOfRule, NEW_RULE, ruleBody, type RuleFields } from './ruleDraft';
import { useDescribeWords } from './useDescribeWords';

const STRATEGIES: { value: RoutingStrategy; key: ConsoleKey }[] = [
  { value: 'cheapest', key: 'routing.strategyCheapest' },
  { value: 'fastest', key: 'routing.strategyFastest' },
  { value: 'balanced', key: 'routing.strategyBalanced' },
  { value: 'pinned', key: 'routing.strategyPinned' },
];

/** Adds or replaces one of the organization's rules, with a preview in plain words. */
export function RuleEditor(props: {
  orgId: string;
  existing: RoutingRule | null;
  choices: RouteChoice[];
  onSaved: () => void;
  onNew: () => void;
}): JSX.Element {
  const { t } = useT();
  const words = useDescribeWords();
  const [fields, setFields] = useState<RuleFields>(
    props.existing ? fieldsOfRule(props.existing) : NEW_RULE,
  );
  const action = useAction();
  const set = <K extends keyof RuleFields>(key: K, value: RuleFields[K]) =>
    setFields((current) => ({ ...current, [key]: value }));
  const perMillion = t('providers.perMillion');
  const existingModel = props.existing?.model;
  return (
    <Card
      title={
        existingModel === undefined
          ? t('routing.editor')
          : t('routing.editing', {
              model: existingModel === '*' ? t('routing.defaultModel') : existingModel,
            })
      }
      testId="routing-editor"
      actions={
        props.existing && (
          <button type="button" onClick={props.onNew} data-testid="routing-new">
            {t('routing.newRule')}
          </button>
        )
      }
    >
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          const checked = ruleBody(props.orgId, fields);
          if (!checked.ok) {
            action.fail(localError(t(checked.key)));
            return;
          }
          void action.run(async () => {
            await admin<RoutingRule>('/routing-rules', 'PUT', checked.body);
            props.onSaved();
          });
        }}
      >
        <div className="form inline">
          <TextField
            label={t('routing.model')}
            value={fields.model}
            onChange={(value) => set('model', value)}
            placeholder="llama-3"
            help={t('routing.modelHelp')}
            testId="routing-model"
          />
          <SelectField
            label={t('routing.strategy')}
            value={fields.strategy}
            options={STRATEGIES.map((s) => ({ value: s.value, label: t(s.key) }))}
            onChange={(value) => set('strategy', value)}
            testId="routing-strategy"
          />
        </div>
        <CheckField
          label={t('routing.everyRoute')}
          checked={fields.everyRoute}
          onChange={(value) => set('everyRoute', value)}
          help={t('routing.everyRouteHelp')}
          testId="routing-every-route"
        />
        {!fields.everyRoute && (
          <RouteListEditor
            routes={fields.routes}
            onRoutes={(routes) => set('routes', routes)}
            choices={props.choices}
            weights={fields.strategy === 'balanced' ? fields.weights : null}
            onWeight={(route, weight) => set('weights', { ...fields.weights, [route]: weight })}
          />
        )}
        <div className="form inline">
          <NumberField
            label={t('routing.ceilingPrompt')}
            value={fields.ceilingPrompt}
            onChange={(value) => set('ceilingPrompt', value)}
            unit={perMillion}
            testId="routing-ceiling-prompt"
          />
          <NumberField
            label={t('routing.ceilingCompletion')}
            value={fields.ceilingCompletion}
            onChange={(value) => set('ceilingCompletion', value)}
            unit={perMillion}
            help={t('routing.ceilingHelp')}
            testId="routing-ceiling-completion"
          />
        </div>
        <div className="field">
          <span style={{ fontWeight: 500 }}>{t('routing.preview')}</span>
          <p
            role="status"
            aria-live="polite"
            data-testid="routing-preview"
            style={{
              margin: 0,
              padding: '0.5rem 0.75rem',
              borderLeft: '3px solid var(--accent)',
              background: 'var(--surface-2)',
              borderRadius: 4,
            }}
          >
            {describeRule(draftOf(fields), words)}
          </p>
        </div>
        <SubmitRow
          action={action}
          testId="routing-save"
          label={t('routing.saveSubmit')}
          doneText={t('routing.savedDone')}
        />
      </form>
    </Card>
  );
}
