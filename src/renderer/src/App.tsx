import { CopyButton } from './components/CopyButton';
import { HealthBanner } from './components/HealthBanner';
import { KeyboardLayer } from './components/KeyboardLayer';
import type { DensityChoice, ThemeChoice, TimeZoneChoice } from './lib/preferences';
import { QueueView } from './screens/queue/QueueView';
import { QueuesOverview } from './screens/queues/QueuesOverview';
import { GettingStarted } from './screens/start/GettingStarted';
import { CreateTask } from './screens/task/CreateTask';
import { TaskView } from './screens/task/TaskView';
import { setPreferences, useStore } from './store';

function Header() {
  const info = useStore((s) => s.info);
  const connection = useStore((s) => s.connection);
  const route = useStore((s) => s.route);
  return (
    <header className="app-head">
      <a className="brand" href="#/" aria-label="Tasklight home">
        <span className="logo" aria-hidden="true" />
        Tasklight
      </a>
      <nav className="app-nav" aria-label="Main">
        <a href="#/" aria-current={route.screen === 'queues' ? 'page' : undefined}>
          Queues
        </a>
        <a href="#/start" aria-current={route.screen === 'start' ? 'page' : undefined}>
          Connect a client
        </a>
      </nav>
      <div className="endpoints">
        {info && (
          <>
            <span className="endpoint" title="gRPC endpoint">
              gRPC <code>{info.grpcEndpoint}</code>
              <CopyButton text={info.grpcEndpoint} label="Copy the gRPC endpoint" className="btn ghost tiny" />
            </span>
            <span className="endpoint" title="REST endpoint">
              REST <code>{info.httpUrl}</code>
              <CopyButton text={info.httpUrl} label="Copy the REST endpoint" className="btn ghost tiny" />
            </span>
          </>
        )}
        <DisplayControls />
        <span className={`conn ${connection}`} role="status" aria-label={connection === 'open' ? 'Live' : 'Reconnecting'} title={connection === 'open' ? 'Live updates' : 'Reconnecting…'}>
          <span className="conn-dot" aria-hidden="true" />
          {connection === 'open' ? 'Live' : 'Reconnecting'}
        </span>
      </div>
    </header>
  );
}

/** Theme, time zone and density, remembered per browser profile; also in the command palette. */
function DisplayControls() {
  const prefs = useStore((s) => s.prefs);
  return (
    <span className="display-controls">
      <select className="tiny-select" aria-label="Theme" value={prefs.theme} onChange={(e) => setPreferences({ theme: e.target.value as ThemeChoice })}>
        <option value="system">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
      <select className="tiny-select" aria-label="Times shown in" value={prefs.timeZone} onChange={(e) => setPreferences({ timeZone: e.target.value as TimeZoneChoice })}>
        <option value="local">Local time</option>
        <option value="utc">UTC</option>
      </select>
      <select className="tiny-select" aria-label="Density" value={prefs.density} onChange={(e) => setPreferences({ density: e.target.value as DensityChoice })}>
        <option value="comfortable">Comfortable</option>
        <option value="compact">Compact</option>
      </select>
      <button type="button" className="btn ghost tiny" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={() => useStore.setState({ overlay: 'shortcuts' })}>
        ?
      </button>
    </span>
  );
}

function Toasts() {
  const toasts = useStore((s) => s.toasts);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.kind}`}>
          {t.text}
        </div>
      ))}
    </div>
  );
}

export function App() {
  const route = useStore((s) => s.route);
  const info = useStore((s) => s.info);
  const createTaskFor = useStore((s) => s.createTaskFor);
  return (
    <>
      <Header />
      <HealthBanner />
      <main className="app-main">
        {route.screen === 'queues' && <QueuesOverview />}
        {route.screen === 'start' && (
          <div className="page">
            <GettingStarted info={info} />
          </div>
        )}
        {route.screen === 'queue' && <QueueView key={route.queue} queue={route.queue} tab={route.tab} />}
        {route.screen === 'task' && <TaskView key={`${route.queue}/${route.id}`} queue={route.queue} id={route.id} />}
      </main>
      {createTaskFor && <CreateTask queue={createTaskFor} onClose={() => useStore.setState({ createTaskFor: null })} />}
      <KeyboardLayer />
      <Toasts />
    </>
  );
}
