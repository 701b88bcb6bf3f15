import { useId, useState, type JSX } from 'react';
import { SubmitRow } from '../../components/SubmitRow';
import { useAction } from '../../hooks/useAction';
import { useT } from '../i18n/i18n';
import { useSession } from '../stores/sessionStore';
import { Preferences } from './Preferences';

/** Sign in with the admin token or an organization admin key. */
export function SignIn(): JSX.Element {
  const { t } = useT();
  const id = useId();
  const notice = useSession((state) => state.notice);
  const signIn = useSession((state) => state.signIn);
  const [secret, setSecret] = useState('');
  const action = useAction();
  return (
    <main className="center" data-testid="console-signin">
      <h1 className="brand-title">{t('app.name')}</h1>
      {notice === 'expired' && (
        <div className="banner warn" role="alert" data-testid="console-signin-expired">
          {t('signin.expired')}
        </div>
      )}
      <form
        className="signin card"
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(() => signIn(secret.trim()));
        }}
      >
        <div className="field">
          <label htmlFor={id}>{t('signin.secret')}</label>
          <input
            id={id}
            type="password"
            autoComplete="current-password"
            value={secret}
            onChange={(event) => setSecret(event.target.value)}
            data-testid="console-signin-secret"
            aria-describedby={`${id}-help`}
            required
          />
          <p className="help" id={`${id}-help`}>
            {t('signin.help')}
          </p>
        </div>
        <SubmitRow
          action={action}
          testId="console-signin"
          label={t('signin.submit')}
          doneText={t('signin.done')}
          disabled={secret.trim() === ''}
        />
      </form>
      <Preferences />
    </main>
  );
}
