import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { ConsoleApp } from './ConsoleApp';
import { consoleI18n } from './i18n/i18n';
import { useSession } from './stores/sessionStore';
import '../styles/base.css';
import '../styles/layout.css';
import '../styles/forms.css';
import '../styles/screens.css';
import './console.css';

const container = document.getElementById('root');
if (!container) throw new Error('console.html is missing #root');

void useSession.getState().check();

createRoot(container).render(
  <StrictMode>
    <I18nextProvider i18n={consoleI18n}>
      <ConsoleApp />
    </I18nextProvider>
  </StrictMode>,
);
