import { useState, type JSX } from 'react';
import type { OrgAdminKeyInfo } from '../../../../../common/adminRecords';
import { ActionStatus } from '../../../components/ActionStatus';
import { useAction } from '../../../hooks/useAction';
import { useFormat } from '../../../hooks/useFormat';
import { admin } from '../../api/consoleApi';
import { useT } from '../../i18n/i18n';

/** One org admin key, with its revoke button (a second click confirms). */
export function AdminKeyRow({ info, onChanged }: { info: OrgAdminKeyInfo; onChanged: () => void }) {
  const { t } = useT();
  const format = useFormat();
  const revoke = useAction();
  const [confirming, setConfirming] = useState(false);
  const revoked = info.revokedAt !== null;
  return (
    <tr data-testid={`organizations-key-row-${info.id}`}>
      <td>{info.name || t('common.none')}</td>
      <td className="mono">{info.id}</td>
      <td>{format.dateTime(info.createdAt)}</td>
      <td data-testid={`organizations-key-used-${info.id}`}>
        {info.lastUsedAt ? format.dateTime(info.lastUsedAt) : t('organizations.neverUsed')}
      </td>
      <td>
        <span
          className={`badge ${revoked ? 'paused' : 'ok'}`}
          data-testid={`organizations-key-state-${info.id}`}
        >
          {revoked ? t('organizations.revoked') : t('organizations.active')}
        </span>
      </td>
      <td>
        {!revoked && (
          <div className="row">
            {confirming ? (
              <>
                <button
                  type="button"
                  className="primary"
                  disabled={revoke.pending}
                  onClick={() =>
                    void revoke.run(async () => {
                      await admin(`/admin-keys/${encodeURIComponent(info.id)}`, 'DELETE');
                      onChanged();
                    })
                  }
                  data-testid={`organizations-key-confirm-${info.id}`}
                >
                  {t('organizations.confirmRevoke')}
                </button>
                <button
                  type="button"
                  onClick={() => setConfirming(false)}
                  data-testid={`organizations-key-cancel-${info.id}`}
                >
                  {t('organizations.cancel')}
                </button>
              </>
            ) : (
              <button
                type="button"
                onClick={() => setConfirming(true)}
                data-testid={`organizations-key-revoke-${info.id}`}
              >
                {t('organizations.revoke')}
              </button>
            )}
            <ActionStatus action={revoke} testId={`organizations-key-revoke-${info.id}`} />
          </div>
        )}
      </td>
    </tr>
  ) satisfies JSX.Element;
}
