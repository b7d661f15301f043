import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { TasklightBridge } from '../../preload/index';

declare global {
  interface Window {
    /** Present in the desktop app (preload); absent when the page is served by `tasklight serve`. */
    tasklight?: TasklightBridge;
  }
}

function App() {
  const version = window.tasklight?.version;
  return (
    <main>
      <h1>Tasklight</h1>
      <p>A local Google Cloud Tasks emulator{version ? ` (version ${version})` : ''}.</p>
      {/* Placeholder: the UI work replaces this with the live endpoints from the UI contract. */}
      <section aria-label="Endpoints">
        <h2>Endpoints</h2>
        <p>gRPC and HTTP endpoints will be shown here.</p>
      </section>
    </main>
  );
}

const container = document.getElementById('root');
if (!container) throw new Error('Tasklight: #root is missing from index.html');
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
