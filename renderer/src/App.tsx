import type { JSX } from 'react';

/** Placeholder shell until the dashboard screens land. */
export function App(): JSX.Element {
  return (
    <main className="app">
      <h1 data-testid="app-title">BYOI Node — dashboard coming soon</h1>
    </main>
  );
}
