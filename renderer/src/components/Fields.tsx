/** Labelled form fields; every input has a visible label. */
import { useId, type JSX, type ReactNode } from 'react';

interface NumberFieldProps {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  min?: number;
  max?: number;
  step?: number | 'any';
  unit?: ReactNode;
  help?: ReactNode;
  testId?: string;
  disabled?: boolean;
}

export function NumberField(props: NumberFieldProps): JSX.Element {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <div className="field-input">
        <input
          id={id}
          type="number"
          inputMode="decimal"
          value={props.value}
          min={props.min}
          max={props.max}
          step={props.step ?? 'any'}
          disabled={props.disabled}
          onChange={(event) => props.onChange(event.target.value)}
          data-testid={props.testId}
          aria-describedby={props.help ? `${id}-help` : undefined}
        />
        {props.unit && <span className="unit">{props.unit}</span>}
      </div>
      {props.help && (
        <p className="help" id={`${id}-help`}>
          {props.help}
        </p>
      )}
    </div>
  );
}

interface TextFieldProps {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'url' | 'time';
  placeholder?: string;
  help?: ReactNode;
  testId?: string;
  required?: boolean;
}

export function TextField(props: TextFieldProps): JSX.Element {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type={props.type ?? 'text'}
        value={props.value}
        placeholder={props.placeholder}
        required={props.required}
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

interface CheckFieldProps {
  label: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  help?: ReactNode;
  testId?: string;
  disabled?: boolean;
}

export function CheckField(props: CheckFieldProps): JSX.Element {
  const id = useId();
  return (
    <div className="field check">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(event) => props.onChange(event.target.checked)}
        data-testid={props.testId}
        aria-describedby={props.help ? `${id}-help` : undefined}
      />
      <label htmlFor={id}>{props.label}</label>
      {props.help && (
        <p className="help" id={`${id}-help`}>
          {props.help}
        </p>
      )}
    </div>
  );
}

interface SelectFieldProps<T extends string> {
  label: ReactNode;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
  testId?: string;
  disabled?: boolean;
}

export function SelectField<T extends string>(props: SelectFieldProps<T>): JSX.Element {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        disabled={props.disabled}
        onChange={(event) => props.onChange(event.target.value as T)}
        data-testid={props.testId}
      >
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A number typed in a field, or null when it is blank or not a number. */
export function parseNumber(text: string): number | null {
  if (text.trim() === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}
