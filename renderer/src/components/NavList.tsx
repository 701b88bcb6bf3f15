import type { JSX } from 'react';

interface NavListProps<Id extends string> {
  screens: readonly Id[];
  current: Id;
  go: (id: Id) => void;
  /** The nav's accessible name. */
  label: string;
  labelOf: (id: Id) => string;
}

/** A left navigation of screens: buttons, so it works with the keyboard like anything else. */
export function NavList<Id extends string>(props: NavListProps<Id>): JSX.Element {
  return (
    <nav className="nav" aria-label={props.label}>
      <ul>
        {props.screens.map((id) => (
          <li key={id}>
            <button
              type="button"
              className="nav-item"
              aria-current={props.current === id ? 'page' : undefined}
              onClick={() => props.go(id)}
              data-testid={`nav-${id}`}
            >
              {props.labelOf(id)}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
