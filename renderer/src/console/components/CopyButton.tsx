import { useState, type JSX } from 'react';
import { useT } from '../i18n/i18n';

/** Copies `text` to the clipboard and says so. */
export function CopyButton({ text, testId }: { text: string; testId: string }): JSX.Element {
  const { t } = useT();
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <>
      <button
        type="button"
        onClick={() =>
          void navigator.clipboard.writeText(text).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
        data-testid={testId}
      >
        {t('common.copy')}
      </button>
      {copied !== null && (
        <span className={copied ? 'ok' : 'warn-text'} role="status">
          {copied ? t('common.copied') : t('common.copyFailed')}
        </span>
      )}
    </>
  );
}

/** A secret or command shown once, with its copy button. */
export function SecretBox(props: {
  label: string;
  text: string;
  testId: string;
  help?: string;
}): JSX.Element {
  return (
    <div className="field">
      <span>{props.label}</span>
      <div className="secret">
        <code className="mono grow" data-testid={props.testId}>
          {props.text}
        </code>
        <CopyButton text={props.text} testId={`${props.testId}-copy`} />
      </div>
      {props.help && <p className="help">{props.help}</p>}
    </div>
  );
}
