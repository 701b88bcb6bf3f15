import { useId, useRef, useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { PrivateNetworkInfo } from '../../api/byoiBridge';
import { ActionStatus } from '../../components/ActionStatus';
import { useAction } from '../../hooks/useAction';

/**
 * Starts the private network on this machine (a gateway next to the node, which joins it)
 * and shows what local clients need: the gateway's address and their API key.
 */
export function PrivateNetworkPanel({
  start,
  info,
  onStarted,
}: {
  start: () => Promise<PrivateNetworkInfo>;
  info: PrivateNetworkInfo | null;
  onStarted: (info: PrivateNetworkInfo) => void;
}): JSX.Element {
  const { t } = useTranslation();
  const action = useAction();
  const run = () =>
    void action.run(start).then((started) => {
      if (started) onStarted(started);
    });
  if (info) {
    return (
      <div className="form" data-testid="private-network-ready">
        <p className="banner ok">{t('onboarding.network.privateReady')}</p>
        <CopyField
          label={t('onboarding.network.privateGateway')}
          value={`${info.gatewayURL}/v1`}
          testId="private-gateway-url"
        />
        <CopyField
          label={t('onboarding.network.privateApiKey')}
          value={info.apiKey}
          help={t('onboarding.network.privateApiKeyHelp')}
          testId="private-api-key"
        />
      </div>
    );
  }
  return (
    <div className="form">
      <p className="help">{t('onboarding.network.privateExplain')}</p>
      <div className="row">
        <button
          type="button"
          className="primary"
          disabled={action.pending}
          onClick={run}
          data-testid="private-network-start"
        >
          {t('onboarding.network.privateStart')}
        </button>
        <ActionStatus action={action} testId="private-network" />
      </div>
    </div>
  );
}

/** A read-only value with a copy button (the clipboard API, else the selection). */
function CopyField({
  label,
  value,
  help,
  testId,
}: {
  label: string;
  value: string;
  help?: string;
  testId: string;
}): JSX.Element {
  const { t } = useTranslation();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Permission refused (the app grants none): copy the selected text instead.
      input.current?.select();
      if (!document.execCommand('copy')) return;
    }
    setCopied(true);
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="field-input">
        <input
          id={id}
          ref={input}
          type="text"
          readOnly
          value={value}
          onFocus={(event) => event.currentTarget.select()}
          aria-describedby={help ? `${id}-help` : undefined}
          data-testid={testId}
        />
        <button type="button" onClick={() => void copy()} data-testid={`${testId}-copy`}>
          {copied ? t('onboarding.network.copied') : t('onboarding.network.copy')}
        </button>
      </div>
      {help && (
        <p className="help" id={`${id}-help`}>
          {help}
        </p>
      )}
    </div>
  );
}
