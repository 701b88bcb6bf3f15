import type { JSX } from 'react';
import type { ApiKeyInfo } from '../../../../../common/adminRecords';
import { ActionStatus } from '../../../components/ActionStatus';
import { useAction } from '../../../hooks/useAction';
import { useFormat } from '../../../hooks/useFormat';
import { admin } from '../../api/consoleApi';
import { useT } from '../../i18n/i18n';

/** One API key, with its revoke button (after a confirmation). */
export function KeyRow({ info, onChanged }: { info: ApiKeyInfo; onChanged: () => void }) {
  const { t } = useT();
  const format = useFormat();
  const revoke = useAction();
  const revoked = info.revokedAt !== null;
  return (
    <tr data-testid={`keys-row-${info.id}`}>
      <td>{info.name || t('common.none')}</td>
      <td className="mono">{info.id}</td>
      <td>{info.rateLimitPerMinute ?? t('keys.defaultRpm')}</td>
      <td>{format.dateTime(info.createdAt)}</td>
      <td>
        <span className={`badge ${revoked ? 'paused' : 'ok'}`}>
          {revoked ? t('keys.revoked') : t('keys.active')}
        </span>
      </td>
      <td>
        {!revoked && (
          <div className="row">
            <button
              type="button"
              disabled={revoke.pending}
              onClick={() => {
                if (!window.confirm(t('keys.confirmRevoke', { name: info.name || info.id })))
                  return;
                void revoke.run(async () => {
                  await admin(`/keys/${encodeURIComponent(info.id)}`, 'DELETE');
                  onChanged();
                });
              }}
              data-testid={`keys-revoke-${info.id}`}
            >
              {t('keys.revoke')}
            </button>
            <ActionStatus action={revoke} testId={`keys-revoke-${info.id}`} />
          </div>
        )}
      </td>
    </tr>
  ) satisfies JSX.Element;
}
