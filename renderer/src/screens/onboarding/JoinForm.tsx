import { useState, type FormEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionStatus } from '../../components/ActionStatus';
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
      <div className="row">
        <button
          type="submit"
          className="primary"
          disabled={action.pending}
          data-testid="join-submit"
        >
          {t('onboarding.network.joinButton')}
        </button>
        <ActionStatus action={action} doneText={t('onboarding.network.joined')} testId="join" />
      </div>
    </form>
  );
}
