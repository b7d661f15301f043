import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { chooseApi } from './api';
import { App } from './App';
import { applyPreferences, start } from './store';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('Tasklight: #root is missing from index.html');
applyPreferences();
void start(chooseApi()).catch((err: unknown) => {
  container.setAttribute('data-error', String(err));
});
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
