import { useState, type JSX } from 'react';
import { NumberField, SelectField } from '../../../components/Fields';
import { useT } from '../../i18n/i18n';
import { routeLabel } from './describeRule';
import { useDescribeWords } from './useDescribeWords';

export interface RouteChoice {
  name: string;
  /** Whether the router has it now (a disabled provider does not). */
  live: boolean;
}

/**
 * The allowed routes in fallback order: add from the choices, move up or down, remove, and
 * (for a weighted rule) each route's weight. Every control is a real button or field.
 */
export function RouteListEditor(props: {
  routes: string[];
  onRoutes: (routes: string[]) => void;
  choices: RouteChoice[];
  weights: Record<string, string> | null;
  onWeight: (route: string, weight: string) => void;
}): JSX.Element {
  const { t } = useT();
  const words = useDescribeWords();
  const left = props.choices.filter((choice) => !props.routes.includes(choice.name));
  const [pick, setPick] = useState('');
  const chosen = left.some((choice) => choice.name === pick) ? pick : (left[0]?.name ?? '');
  const label = (name: string) => {
    const said = routeLabel(name, words);
    return said === name ? name : `${said} (${name})`;
  };
  const live = new Map(props.choices.map((choice) => [choice.name, choice.live]));
  const move = (index: number, by: number) => {
    const next = [...props.routes];
    const [item] = next.splice(index, 1);
    next.splice(index + by, 0, item!);
    props.onRoutes(next);
  };
  return (
    <fieldset className="form" style={{ border: 'none', padding: 0, margin: 0 }}>
      <legend style={{ fontWeight: 500 }}>{t('routing.routes')}</legend>
      {props.routes.length === 0 ? (
        <p className="muted" data-testid="routing-no-routes">
          {t('routing.noRoutesYet')}
        </p>
      ) : (
        <ol className="list" data-testid="routing-route-list">
          {props.routes.map((name, index) => (
            <li key={name} className="row" data-testid={`routing-route-${name}`}>
              <span className="mono" style={{ minWidth: '16rem' }}>
                {index + 1}. {label(name)}
                {live.get(name) === false && (
                  <span className="muted small"> ({t('routing.notLive')})</span>
                )}
              </span>
              {props.weights && (
                <NumberField
                  label={
                    <span className="sr-only">{t('routing.weightLabel', { route: name })}</span>
                  }
                  value={props.weights[name] ?? ''}
                  onChange={(value) => props.onWeight(name, value)}
                  unit={t('routing.weight')}
                  testId={`routing-weight-${name}`}
                />
              )}
              <button
                type="button"
                disabled={index === 0}
                aria-label={t('routing.moveUpLabel', { route: name })}
                onClick={() => move(index, -1)}
                data-testid={`routing-up-${name}`}
              >
                {t('routing.up')}
              </button>
              <button
                type="button"
                disabled={index === props.routes.length - 1}
                aria-label={t('routing.moveDownLabel', { route: name })}
                onClick={() => move(index, 1)}
                data-testid={`routing-down-${name}`}
              >
                {t('routing.down')}
              </button>
              <button
                type="button"
                aria-label={t('routing.removeRouteLabel', { route: name })}
                onClick={() => props.onRoutes(props.routes.filter((route) => route !== name))}
                data-testid={`routing-remove-${name}`}
              >
                {t('routing.removeRoute')}
              </button>
            </li>
          ))}
        </ol>
      )}
      {left.length === 0 ? (
        <p className="muted small">{t('routing.noMoreRoutes')}</p>
      ) : (
        <div className="row">
          <SelectField
            label={t('routing.addRoute')}
            value={chosen}
            options={left.map((choice) => ({ value: choice.name, label: label(choice.name) }))}
            onChange={setPick}
            testId="routing-add-select"
          />
          <button
            type="button"
            onClick={() => chosen && props.onRoutes([...props.routes, chosen])}
            data-testid="routing-add-submit"
            style={{ alignSelf: 'flex-end' }}
          >
            {t('routing.addRouteSubmit')}
          </button>
        </div>
      )}
    </fieldset>
  );
}
