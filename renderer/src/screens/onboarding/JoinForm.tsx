import { useState, type FormEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { SubmitRow } from '../../components/SubmitRow';
import { CheckField, TextField } from '../../components/Fields';
import { useAction } from '../../hooks/useAction';
import { joinNetwork } from '../../stores/actions';

/** Enrolls this node with a gateway's one-time code. */
export function JoinForm(): JSX.Element {
  const { t } = useTranslation();
  const action = useAction();
  const [gatewayURL, setGatewayURL] = useState('');
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [insecure, setInsecure] = useState(false);
  const plainHTTP = gatewayURL.trim().toLowerCase().startsWith('http://');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(() =>
      joinNetwork({
        gatewayURL: gatewayURL.trim(),
        code: code.trim(),
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(plainHTTP && insecure ? { insecure: true } : {}),
      }),
    );
  };
  return (
    <form className="form" onSubmit={submit} data-testid="join-form">
      <TextField
        label={t('onboarding.network.gateway')}
        type="url"
        value={gatewayURL}
        onChange={setGatewayURL}
        placeholder={t('onboarding.network.gatewayPlaceholder')}
        required
        testId="join-gateway"
      />
      {plainHTTP && (
        <CheckField
          label={t('onboarding.network.insecure')}
          checked={insecure}
          onChange={setInsecure}
          help={t('onboarding.network.insecureHelp')}
          testId="join-insecure"
        />
      )}
      <TextField
        label={t('onboarding.network.code')}
        value={code}
        onChange={setCode}
        required
        help={t('onboarding.network.codeHelp')}
        testId="join-code"
      />
      <TextField
        label={t('onboarding.network.name')}
        value={name}
        onChange={setName}
        help={t('onboarding.network.nameHelp')}
      />
      <SubmitRow
        action={action}
        testId="join"
        label={t('onboarding.network.joinButton')}
        doneText={t('onboarding.network.joined')}
      />
    </form>
  );
}
