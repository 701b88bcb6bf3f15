import { useState, type JSX } from 'react';
import type { KeyState, ProviderView, RouteView } from '../../../../../common/adminRecords';
import { ActionStatus } from '../../../components/ActionStatus';
import { useAction } from '../../../hooks/useAction';
import { useFormat } from '../../../hooks/useFormat';
import { admin } from '../../api/consoleApi';
import { useT, type ConsoleKey } from '../../i18n/i18n';

const KEY_STATES: Record<KeyState['state'], { key: ConsoleKey; badge: string }> = {
  active: { key: 'providers.keyActive', badge: 'ok' },
  resting: { key: 'providers.keyResting', badge: 'waiting' },
  disabled: { key: 'providers.keyDisabled', badge: 'problem' },
};

function health(provider: ProviderView, route: RouteView | undefined) {
  if (!provider.enabled) return { key: 'providers.disabled' as const, badge: 'paused' };
  if (!route) return { key: 'providers.notRouted' as const, badge: 'paused' };
  if (route.state === 'open') return { key: 'providers.breakerOpen' as const, badge: 'problem' };
  if (route.state === 'half-open')
    return { key: 'providers.breakerHalfOpen' as const, badge: 'waiting' };
  return { key: 'providers.breakerClosed' as const, badge: 'ok' };
}

/**
 * One provider: its models, price, keys (masked, with their health) and route state; for the
 * operator, edit, disable/enable and remove (after a second click).
 */
export function ProviderRow(props: {
  provider: ProviderView;
  route: RouteView | undefined;
  canChange: boolean;
  onEdit: () => void;
  onChanged: () => void;
}): JSX.Element {
  const { provider, route } = props;
  const { t } = useT();
  const format = useFormat();
  const action = useAction();
  const [confirming, setConfirming] = useState(false);
  const name = provider.name;
  const path = `/providers/${encodeURIComponent(name)}`;
  const call = (suffix: string, method: string) =>
    void action.run(async () => {
      await admin(`${path}${suffix}`, method);
      setConfirming(false);
      props.onChanged();
    });
  const state = health(provider, route);
  return (
    <tr data-testid={`providers-row-${name}`}>
      <td>
        <div>{name}</div>
        <div className="muted small mono">{provider.baseUrl}</div>
      </td>
      <td>
        {Object.entries(provider.models).map(([id, upstream]) => (
          <div key={id} className="small mono" style={{ whiteSpace: 'nowrap' }}>
            {id === upstream ? id : `${id} → ${upstream}`}
          </div>
        ))}
      </td>
      <td className="small">
        {t('providers.priceValue', {
          prompt: format.usd(provider.price.prompt),
          completion: format.usd(provider.price.completion),
        })}
        <div className="muted">
          {t('providers.maxConcurrentValue', { count: provider.maxConcurrent })}
        </div>
      </td>
      <td>
        {provider.keys.map((key, index) => {
          const look = KEY_STATES[key.state];
          return (
            <div key={`${key.masked}-${index}`} className="small">
              <span className="mono" data-testid={`providers-key-${name}-${index}`}>
                {key.masked}
              </span>{' '}
              <span
                className={`badge ${look.badge}`}
                data-testid={`providers-key-state-${name}-${index}`}
              >
                {t(look.key)}
              </span>
              {key.restingUntil && (
                <span className="muted">
                  {' '}
                  {t('providers.keyUntil', { time: format.time(key.restingUntil) })}
                </span>
              )}
              {key.reason && <div className="warn-text">{key.reason}</div>}
            </div>
          );
        })}
      </td>
      <td>
        <span className={`badge ${state.badge}`} data-testid={`providers-state-${name}`}>
          {t(state.key)}
        </span>
        {provider.enabled && route?.retryAt && (
          <div className="muted small">
            {t('providers.breakerRetry', { time: format.time(route.retryAt) })}
          </div>
        )}
        {provider.enabled && route?.lastError && (
          <div className="warn-text small" data-testid={`providers-last-error-${name}`}>
            {t('providers.lastError', { error: route.lastError })}
          </div>
        )}
      </td>
      {props.canChange && (
        <td>
          <div className="row" style={{ flexWrap: 'nowrap' }}>
            <button
              type="button"
              disabled={action.pending}
              onClick={props.onEdit}
              data-testid={`providers-edit-${name}`}
            >
              {t('providers.editAction')}
            </button>
            <button
              type="button"
              disabled={action.pending}
              onClick={() => call(provider.enabled ? '/disable' : '/enable', 'POST')}
              data-testid={`providers-toggle-${name}`}
            >
              {provider.enabled ? t('providers.disable') : t('providers.enable')}
            </button>
            {confirming ? (
              <>
                <button
                  type="button"
                  className="primary"
                  disabled={action.pending}
                  onClick={() => call('', 'DELETE')}
                  data-testid={`providers-remove-confirm-${name}`}
                >
                  {t('providers.confirmRemove', { name })}
                </button>
                <button
                  type="button"
                  onClick={() => setConfirming(false)}
                  data-testid={`providers-remove-cancel-${name}`}
                >
                  {t('providers.keep')}
                </button>
              </>
            ) : (
              <button
                type="button"
                disabled={action.pending}
                onClick={() => setConfirming(true)}
                data-testid={`providers-remove-${name}`}
              >
                {t('providers.remove')}
              </button>
            )}
          </div>
          {/* The row itself shows the change; only a failure needs words. */}
          {(action.error || action.pending) && (
            <ActionStatus action={action} testId={`providers-action-${name}`} />
          )}
        </td>
      )}
    </tr>
  );
}
