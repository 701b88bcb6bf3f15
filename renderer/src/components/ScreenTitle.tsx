import { useEffect, useRef, type JSX, type ReactNode } from 'react';
import { useNav } from '../stores/navStore';

/** A screen's h1; takes the focus after a navigation so screen readers announce it. */
export function ScreenTitle({
  children,
  testId,
}: {
  children: ReactNode;
  testId?: string;
}): JSX.Element {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (useNav.getState().navigations > 0) ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} data-testid={testId ?? 'screen-title'}>
      {children}
    </h1>
  );
}
