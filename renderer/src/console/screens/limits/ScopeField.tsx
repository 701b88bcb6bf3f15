import type { JSX } from 'react';
import type { ApiKeyInfo } from '../../../../../common/adminRecords';
import { SelectField } from '../../../components/Fields';
import { useT } from '../../i18n/i18n';

/** The value of the org-wide scope in a scope select (key ids are never empty). */
export const ORG_SCOPE = '';

/** What a limit applies to: the whole organization, or one of its active keys. */
export function ScopeField(props: {
  keys: ApiKeyInfo[];
  value: string;
  onChange: (keyId: string) => void;
  testId: string;
}): JSX.Element {
  const { t } = useT();
  return (
    <SelectField
      label={t('limits.scope')}
      value={props.value}
      onChange={props.onChange}
      testId={props.testId}
      options={[
        { value: ORG_SCOPE, label: t('limits.wholeOrg') },
        ...props.keys
          .filter((key) => key.revokedAt === null)
          .map((key) => ({
            value: key.id,
            label: t('limits.keyScope', { name: key.name || key.id }),
          })),
      ]}
    />
  );
}

/** How a scope reads in a table. */
export function scopeLabel(
  t: ReturnType<typeof useT>['t'],
  keys: ApiKeyInfo[],
  keyId: string | null,
): string {
  if (keyId === null) return t('limits.wholeOrg');
  const key = keys.find((k) => k.id === keyId);
  return t('limits.keyScope', { name: key?.name || keyId });
}
