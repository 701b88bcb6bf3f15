import { useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { findPrivateNetworkStarter, type PrivateNetworkInfo } from '../../api/byoiBridge';
import { useStatus } from '../../stores/engineStores';
import { JoinForm } from './JoinForm';
import { PrivateNetworkPanel } from './PrivateNetworkPanel';

/** Join a network with an enrollment code, or run a private one (desktop app only). */
export function NetworkStep(): JSX.Element {
  const { t } = useTranslation();
  const link = useStatus((state) => state.data?.link ?? null);
  // Only the app's preload can start a gateway; a browser on a headless node cannot.
  const [startPrivate] = useState(() => findPrivateNetworkStarter());
  const [privateInfo, setPrivateInfo] = useState<PrivateNetworkInfo | null>(null);
  const [choice, setChoice] = useState<'join' | 'private'>('join');
  const linked = link !== null && link.state !== 'disabled' && link.nodeId !== null;
  const [joinAnother, setJoinAnother] = useState(false);

  // Once started, the node links to it: keep showing the address and key, not just "linked".
  if (privateInfo && startPrivate) {
    return (
      <PrivateNetworkPanel start={startPrivate} info={privateInfo} onStarted={setPrivateInfo} />
    );
  }
  if (linked && !joinAnother) {
    return (
      <>
        <p className="banner ok" data-testid="network-linked">
          {t('onboarding.network.linked', {
            gateway: link.gatewayURL ?? t('common.unknown'),
            node: link.nodeId,
            state: t(`link.${link.state}`),
          })}
        </p>
        <button type="button" className="link-button" onClick={() => setJoinAnother(true)}>
          {t('onboarding.network.joinAnother')}
        </button>
      </>
    );
  }
  return (
    <>
      <fieldset className="radio-group">
        <legend>{t('onboarding.network.how')}</legend>
        <label className="radio-card">
          <input
            type="radio"
            name="network-choice"
            checked={choice === 'join'}
            onChange={() => setChoice('join')}
            data-testid="network-join-choice"
          />
          <span className="radio-title">{t('onboarding.network.join')}</span>
          <span className="help">{t('onboarding.network.joinHelp')}</span>
        </label>
        <label className="radio-card">
          <input
            type="radio"
            name="network-choice"
            checked={choice === 'private'}
            onChange={() => setChoice('private')}
            data-testid="network-private-choice"
          />
          <span className="radio-title">{t('onboarding.network.private')}</span>
          <span className="help">{t('onboarding.network.privateHelp')}</span>
        </label>
      </fieldset>
      {choice === 'join' ? (
        <JoinForm />
      ) : startPrivate ? (
        <PrivateNetworkPanel start={startPrivate} info={null} onStarted={setPrivateInfo} />
      ) : (
        <p className="banner warn" data-testid="network-private-note">
          {t('onboarding.network.privateNeedsApp')}
        </p>
      )}
    </>
  );
}
