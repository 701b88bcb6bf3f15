import type { JSX } from 'react';
import type { BreakerState, RouteView } from '../../../../../common/adminRecords';
import { useFormat } from '../../../hooks/useFormat';
import { useT } from '../../i18n/i18n';

const BADGE: Record<BreakerState, string> = {
  closed: 'ok',
  'half-open': 'waiting',
  open: 'problem',
};

/** Every route with its breaker state, last error and measured latency. */
export function RoutesHealth({ routes }: { routes: RouteView[] }): JSX.Element {
  const { t } = useT();
  const format = useFormat();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="overview-routes-table">
        <thead>
          <tr>
            <th scope="col">{t('overview.route')}</th>
            <th scope="col">{t('overview.models')}</th>
            <th scope="col">{t('overview.health')}</th>
            <th scope="col">{t('overview.latency')}</th>
            <th scope="col">{t('overview.lastError')}</th>
          </tr>
        </thead>
        <tbody>
          {routes.map((route) => (
            <tr key={route.id} data-testid="overview-route" data-route={route.id}>
              <th scope="row">
                {route.label}
                <div className="muted small">
                  {t(`overview.kind.${route.kind}`)}
                  {route.nodeId && <span className="mono"> {route.nodeId}</span>}
                </div>
              </th>
              <td className="mono small">{route.models.join(', ') || t('common.none')}</td>
              <td>
                <span className={`badge ${BADGE[route.state]}`} data-testid="overview-route-state">
                  {t(`overview.breaker.${route.state}`)}
                </span>
                {route.state === 'open' && route.retryAt && (
                  <div className="muted small">
                    {t('overview.retryAt', { time: format.time(route.retryAt) })}
                  </div>
                )}
              </td>
              <td>
                {route.latencyMs === null
                  ? t('common.none')
                  : `${format.number(route.latencyMs, 0)} ms`}
              </td>
              <td data-testid="overview-route-error">
                {route.lastError ? (
                  <>
                    <span className="error small">{route.lastError}</span>
                    {route.lastErrorAt && (
                      <div className="muted small">{format.dateTime(route.lastErrorAt)}</div>
                    )}
                  </>
                ) : (
                  t('common.none')
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
