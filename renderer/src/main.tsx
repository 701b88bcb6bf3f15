import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createClient } from './api/createClient';
import { setNodeClient } from './api/clientRegistry';
import { findBridge } from './api/byoiBridge';
import { useNav } from './stores/navStore';
import { connectStores } from './stores/connectStores';
import './i18n/i18n';
import './styles/base.css';
import './styles/layout.css';
import './styles/forms.css';
import './styles/screens.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html is missing #root');

const choice = createClient();
if (choice.client) {
  setNodeClient(choice.client);
  connectStores(choice.client);
}
// The app's tray can send the dashboard to a screen.
findBridge()?.onNavigate?.((to) => useNav.getState().go(to.panel));

createRoot(container).render(
  <StrictMode>
    <App connected={choice.client !== null} />
  </StrictMode>,
);
