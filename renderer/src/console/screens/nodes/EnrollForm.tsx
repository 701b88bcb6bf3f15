import { useState, type JSX } from 'react';
import { Card } from '../../../components/Card';
import { NumberField, parseNumber } from '../../../components/Fields';
import { SubmitRow } from '../../../components/SubmitRow';
import { useAction } from '../../../hooks/useAction';
import { useFormat } from '../../../hooks/useFormat';
import { localError } from '../../../stores/uiError';
import { admin } from '../../api/consoleApi';
import { SecretBox } from '../../components/CopyButton';
import { useT } from '../../i18n/i18n';

interface EnrollmentCode {
  code: string;
  expiresAt: string;
  orgId: string;
  command: string;
}

/** Makes a single-use enrollment code and shows the command to run on the node. */
export function EnrollForm({ orgId }: { orgId: string }): JSX.Element {
  const { t } = useT();
  const format = useFormat();
  const [hours, setHours] = useState('24');
  const [code, setCode] = useState<EnrollmentCode | null>(null);
  const action = useAction();
  return (
    <Card title={t('nodes.enroll')} testId="nodes-enroll">
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          const value = parseNumber(hours);
          if (value === null || value <= 0) {
            action.fail(localError(t('nodes.badTtl')));
            return;
          }
          setCode(null);
          void action.run(async () => {
            setCode(
              await admin<EnrollmentCode>(
                `/orgs/${encodeURIComponent(orgId)}/enrollment-codes`,
                'POST',
                { ttlSeconds: Math.max(1, Math.round(value * 3600)) },
              ),
            );
          });
        }}
      >
        <NumberField
          label={t('nodes.ttl')}
          value={hours}
          onChange={setHours}
          min={0}
          unit={t('nodes.hours')}
          testId="nodes-enroll-ttl"
        />
        <SubmitRow
          action={action}
          testId="nodes-enroll"
          label={t('nodes.enrollSubmit')}
          doneText={t('nodes.enrollDone')}
        />
      </form>
      {code && (
        <SecretBox
          label={t('nodes.command')}
          text={code.command}
          testId="nodes-enroll-command"
          help={t('nodes.commandHelp', { expires: format.dateTime(code.expiresAt) })}
        />
      )}
    </Card>
  );
}
