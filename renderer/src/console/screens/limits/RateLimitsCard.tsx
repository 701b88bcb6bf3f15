import { useEffect, useState, type JSX } from 'react';
import type { ApiKeyInfo, RateLimit } from '../../../../../common/adminRecords';
import { ResourceView } from '../../../components/AsyncStates';
import { Card } from '../../../components/Card';
import { NumberField } from '../../../components/Fields';
import { SubmitRow } from '../../../components/SubmitRow';
import { useAction } from '../../../hooks/useAction';
import { useFormat } from '../../../hooks/useFormat';
import { localError } from '../../../stores/uiError';
import { admin, adminList, query } from '../../api/consoleApi';
import { useResource } from '../../hooks/useResource';
import { useT } from '../../i18n/i18n';
import { LIMIT_BOUNDS, parseWhole } from './limitBounds';
import { ORG_SCOPE, ScopeField, scopeLabel } from './ScopeField';

/** The organization's rate limits (org-wide and per key), and a form to set or clear one. */
export function RateLimitsCard({ orgId, keys }: { orgId: string; keys: ApiKeyInfo[] }) {
  const { t } = useT();
  const format = useFormat();
  const limits = useResource(() => adminList<RateLimit>(`/limits${query({ orgId })}`), [orgId]);
  const [scope, setScope] = useState(ORG_SCOPE);
  const [rpm, setRpm] = useState('');
  const [tpm, setTpm] = useState('');
  const action = useAction();
  const current = limits.data?.find((l) => (l.keyId ?? ORG_SCOPE) === scope);
  useEffect(() => {
    setRpm(current?.rpm == null ? '' : String(current.rpm));
    setTpm(current?.tpm == null ? '' : String(current.tpm));
  }, [current]);
  const rate = (value: number | null) =>
    value === null ? t('limits.noLimit') : format.number(value, 0);
  return (
    <Card title={t('limits.rateTitle')} testId="limits-rate">
      <ResourceView
        {...limits}
        onRetry={() => void limits.reload()}
        empty={{
          when: (list) => list.length === 0,
          text: t('limits.rateEmpty'),
          testId: 'limits-rate-empty',
        }}
      >
        {(list) => (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('limits.scope')}</th>
                  <th scope="col">{t('limits.rpm')}</th>
                  <th scope="col">{t('limits.tpm')}</th>
                  <th scope="col">{t('limits.updated')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((limit) => (
                  <tr
                    key={limit.keyId ?? ORG_SCOPE}
                    data-testid={`limits-rate-row-${limit.keyId ?? 'org'}`}
                  >
                    <td>{scopeLabel(t, keys, limit.keyId)}</td>
                    <td data-testid={`limits-rate-rpm-${limit.keyId ?? 'org'}`}>
                      {rate(limit.rpm)}
                    </td>
                    <td>{rate(limit.tpm)}</td>
                    <td>{format.dateTime(limit.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ResourceView>
      <form
        noValidate
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          const rpmValue = parseWhole(rpm, 1, LIMIT_BOUNDS.maxRate);
          const tpmValue = parseWhole(tpm, 1, LIMIT_BOUNDS.maxRate);
          if (rpmValue === 'bad' || tpmValue === 'bad') {
            action.fail(
              localError(t('limits.badRate', { max: format.number(LIMIT_BOUNDS.maxRate, 0) })),
            );
            return;
          }
          void action.run(async () => {
            await admin('/limits', 'PUT', {
              orgId,
              keyId: scope === ORG_SCOPE ? null : scope,
              rpm: rpmValue,
              tpm: tpmValue,
            });
            await limits.reload();
          });
        }}
      >
        <div className="form inline">
          <ScopeField keys={keys} value={scope} onChange={setScope} testId="limits-rate-scope" />
          <NumberField
            label={t('limits.rpm')}
            value={rpm}
            onChange={setRpm}
            min={1}
            step={1}
            testId="limits-rate-rpm"
          />
          <NumberField
            label={t('limits.tpm')}
            value={tpm}
            onChange={setTpm}
            min={1}
            step={1}
            testId="limits-rate-tpm"
          />
        </div>
        <p className="help">{t('limits.rateHelp')}</p>
        <SubmitRow action={action} testId="limits-rate" label={t('limits.rateSave')} />
      </form>
    </Card>
  ) satisfies JSX.Element;
}
