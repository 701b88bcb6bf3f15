import type { JSX } from 'react';
import type { Balances, Org } from '../../../../../common/adminRecords';
import { useFormat } from '../../../hooks/useFormat';
import { useT } from '../../i18n/i18n';

export interface OrgWithBalance {
  org: Org;
  balance: Balances;
}

/** Every organization with what its keys spent and its nodes earned. */
export function OrgList(props: {
  orgs: OrgWithBalance[];
  selected: string | null;
  onSelect: (orgId: string) => void;
}): JSX.Element {
  const { t } = useT();
  const format = useFormat();
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('organizations.name')}</th>
            <th scope="col">{t('organizations.id')}</th>
            <th scope="col">{t('organizations.createdAt')}</th>
            <th scope="col">{t('organizations.spent')}</th>
            <th scope="col">{t('organizations.earned')}</th>
            <th scope="col">
              <span className="sr-only">{t('organizations.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.orgs.map(({ org, balance }) => (
            <tr key={org.id} data-testid={`organizations-row-${org.id}`} data-name={org.name}>
              <td>{org.name}</td>
              <td className="mono">{org.id}</td>
              <td>{format.dateTime(org.createdAt)}</td>
              <td data-testid={`organizations-spent-${org.id}`}>
                {format.usd(balance.spentNanos / 1e9)}
              </td>
              <td>{format.usd(balance.earnedNanos / 1e9)}</td>
              <td>
                <button
                  type="button"
                  aria-pressed={props.selected === org.id}
                  disabled={props.selected === org.id}
                  onClick={() => props.onSelect(org.id)}
                  data-testid={`organizations-select-${org.id}`}
                >
                  {props.selected === org.id ? t('organizations.shown') : t('organizations.manage')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
