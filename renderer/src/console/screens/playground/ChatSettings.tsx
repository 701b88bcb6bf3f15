import { useEffect, useState, type JSX } from 'react';
import type { RouteView } from '../../../../../common/adminRecords';
import { ResourceView } from '../../../components/AsyncStates';
import { Card } from '../../../components/Card';
import { NumberField, SelectField } from '../../../components/Fields';
import type { Resource } from '../../hooks/useResource';
import { useT } from '../../i18n/i18n';
import { MAX_REPLY_TOKENS, usePlayground } from './playgroundStore';

/** The routes a request may pin: each provider, or the nodes. */
function pinChoices(routes: RouteView[]): string[] {
  return [...new Set(routes.map((route) => route.label))].sort();
}

/** The model to chat with and, optionally, the route to pin. */
export function ChatSettings(props: {
  models: Resource<string[]>;
  routes: Resource<RouteView[]>;
}): JSX.Element {
  const { t } = useT();
  const model = usePlayground((state) => state.model);
  const route = usePlayground((state) => state.route);
  const setModel = usePlayground((state) => state.setModel);
  const setRoute = usePlayground((state) => state.setRoute);
  const models = props.models.data;
  useEffect(() => {
    if (models && models.length > 0 && !models.includes(model)) setModel(models[0]!);
  }, [models, model, setModel]);
  return (
    <Card title={t('playground.settings')} testId="playground-settings">
      <ResourceView
        {...props.models}
        onRetry={() => void props.models.reload()}
        empty={{
          when: (list) => list.length === 0,
          text: t('playground.noModels'),
          testId: 'playground-no-models',
        }}
      >
        {(list) => (
          <div className="form inline">
            <SelectField
              label={t('playground.model')}
              value={list.includes(model) ? model : list[0]!}
              options={list.map((id) => ({ value: id, label: id }))}
              onChange={setModel}
              testId="playground-model"
            />
            <MaxTokensField />
            <SelectField
              label={t('playground.route')}
              value={route}
              options={[
                { value: '', label: t('playground.routeAuto') },
                ...pinChoices(props.routes.data ?? []).map((label) => ({
                  value: label,
                  label: label === 'node' ? t('playground.routeNodes') : label,
                })),
              ]}
              onChange={setRoute}
              testId="playground-route"
            />
          </div>
        )}
      </ResourceView>
    </Card>
  );
}

/** The most tokens a reply may have; a value out of range keeps the last good one. */
function MaxTokensField(): JSX.Element {
  const { t } = useT();
  const maxTokens = usePlayground((state) => state.maxTokens);
  const setMaxTokens = usePlayground((state) => state.setMaxTokens);
  const [text, setText] = useState(String(maxTokens));
  const value = Number(text);
  const valid = Number.isInteger(value) && value >= 1 && value <= MAX_REPLY_TOKENS;
  return (
    <NumberField
      label={t('playground.maxTokens')}
      value={text}
      onChange={(next) => {
        setText(next);
        const parsed = Number(next);
        if (Number.isInteger(parsed) && parsed >= 1 && parsed <= MAX_REPLY_TOKENS)
          setMaxTokens(parsed);
      }}
      help={valid ? undefined : t('playground.badMaxTokens', { max: MAX_REPLY_TOKENS })}
      testId="playground-max-tokens"
    />
  );
}
