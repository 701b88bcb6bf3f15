import { useId, useState, type JSX } from 'react';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { useT } from '../../i18n/i18n';
import { usePlayground } from './playgroundStore';

/** The message to send; Ctrl+Enter sends, Stop ends a reply early. */
export function PromptForm({ orgId }: { orgId: string }): JSX.Element {
  const { t } = useT();
  const id = useId();
  const [prompt, setPrompt] = useState('');
  const [blank, setBlank] = useState(false);
  const model = usePlayground((state) => state.model);
  const running = usePlayground((state) => state.running);
  const error = usePlayground((state) => state.error);
  const send = usePlayground((state) => state.send);
  const stop = usePlayground((state) => state.stop);
  const submit = () => {
    if (prompt.trim() === '') {
      setBlank(true);
      return;
    }
    setBlank(false);
    const text = prompt;
    setPrompt('');
    void send(orgId, text);
  };
  return (
    <form
      className="form card"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className="field">
        <label htmlFor={id}>{t('playground.prompt')}</label>
        <textarea
          id={id}
          rows={3}
          value={prompt}
          onChange={(event) => setPrompt(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
              event.preventDefault();
              submit();
            }
          }}
          aria-describedby={`${id}-help`}
          data-testid="playground-prompt"
        />
        <p className="help" id={`${id}-help`}>
          {t('playground.promptHelp')}
        </p>
      </div>
      <div className="row">
        <button
          type="submit"
          className="primary"
          disabled={running || model === ''}
          data-testid="playground-send"
        >
          {running ? t('playground.streaming') : t('playground.send')}
        </button>
        {running && (
          <button type="button" onClick={stop} data-testid="playground-stop">
            {t('playground.stop')}
          </button>
        )}
      </div>
      {blank && (
        <p className="error" role="alert" data-testid="playground-blank">
          {t('playground.blank')}
        </p>
      )}
      {error && <ErrorMessage error={error} testId="playground-error" />}
    </form>
  );
}
