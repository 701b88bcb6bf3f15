import type { JSX, ReactNode } from 'react';

interface Props {
  title: ReactNode;
  children: ReactNode;
  testId?: string;
  actions?: ReactNode;
  className?: string;
}

/** A titled section of a screen. */
export function Card({ title, children, testId, actions, className }: Props): JSX.Element {
  return (
    <section className={`card ${className ?? ''}`} data-testid={testId}>
      <header className="card-header">
        <h2>{title}</h2>
        {actions && <div className="card-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** One figure with its label. */
export function Stat(props: {
  label: ReactNode;
  value: ReactNode;
  testId?: string;
  hint?: ReactNode;
}) {
  return (
    <div className="stat">
      <div className="stat-label">{props.label}</div>
      <div className="stat-value" data-testid={props.testId}>
        {props.value}
      </div>
      {props.hint && <div className="stat-hint">{props.hint}</div>}
    </div>
  );
}
