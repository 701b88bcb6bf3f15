/** A labelled multi-line text field (one item a line), styled like the shared text inputs. */
import { useId, type CSSProperties, type JSX, type ReactNode } from 'react';

const style: CSSProperties = {
  font: 'inherit',
  color: 'inherit',
  background: 'var(--surface)',
  border: '1px solid var(--border)',
  borderRadius: 6,
  padding: '0.35rem 0.5rem',
  width: 'min(32rem, 100%)',
  resize: 'vertical',
};

export function TextAreaField(props: {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  rows?: number;
  placeholder?: string;
  help?: ReactNode;
  testId?: string;
  /** Monospace, e.g. for ids and keys. */
  mono?: boolean;
  /** Not remembered by the browser (secrets). */
  secret?: boolean;
}): JSX.Element {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <textarea
        id={id}
        className={props.mono ? 'mono' : undefined}
        style={style}
        rows={props.rows ?? 3}
        value={props.value}
        placeholder={props.placeholder}
        spellCheck={false}
        autoComplete={props.secret ? 'off' : undefined}
        onChange={(event) => props.onChange(event.target.value)}
        data-testid={props.testId}
        aria-describedby={props.help ? `${id}-help` : undefined}
      />
      {props.help && (
        <p className="help" id={`${id}-help`}>
          {props.help}
        </p>
      )}
    </div>
  );
}
