import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { shortId } from '../../../shared/short-id';
import { THEMES } from '../lib/preferences';
import { matchesQuery } from '../lib/shortcuts';
import { navigate, QUEUE_TABS, setPreferences, useStore, type Route } from '../store';
import { Dialog } from './Dialog';

interface Command {
  id: string;
  label: string;
  hint?: string;
  run: () => void;
}

function useCommands(close: () => void): Command[] {
  const queues = useStore((s) => s.queues);
  const route = useStore((s) => s.route);
  const prefs = useStore((s) => s.prefs);
  return useMemo(() => {
    const go = (to: Route) => () => {
      close();
      navigate(to);
    };
    const set = (change: Parameters<typeof setPreferences>[0]) => () => {
      close();
      setPreferences(change);
    };
    const list: Command[] = [];
    const current = route.screen === 'queue' || route.screen === 'task' ? route.queue : null;
    if (current) {
      const id = shortId(current);
      for (const [tab, label] of QUEUE_TABS) {
        list.push({ id: `tab:${tab}`, label: `${label} of ${id}`, hint: 'this queue', run: go({ screen: 'queue', queue: current, tab }) });
      }
      list.push({
        id: 'create-task',
        label: `Create a task in ${id}`,
        run: () => {
          close();
          useStore.setState({ createTaskFor: current });
        },
      });
    }
    for (const q of queues) {
      list.push({ id: `queue:${q.name}`, label: `Go to queue ${q.id}`, hint: `${q.project} · ${q.location}`, run: go({ screen: 'queue', queue: q.name, tab: 'tasks' }) });
    }
    list.push({ id: 'queues', label: 'Go to all queues', run: go({ screen: 'queues' }) });
    list.push({ id: 'start', label: 'Connect a client', hint: 'endpoints, environment, snippets', run: go({ screen: 'start' }) });
    for (const theme of THEMES) {
      if (theme !== prefs.theme) list.push({ id: `theme:${theme}`, label: `Theme: ${theme === 'system' ? 'follow the system' : theme}`, hint: 'appearance colours', run: set({ theme }) });
    }
    list.push(
      prefs.timeZone === 'local'
        ? { id: 'tz:utc', label: 'Show times in UTC', hint: 'time zone clock', run: set({ timeZone: 'utc' }) }
        : { id: 'tz:local', label: 'Show times in local time', hint: 'time zone clock', run: set({ timeZone: 'local' }) },
    );
    list.push(
      prefs.density === 'comfortable'
        ? { id: 'density:compact', label: 'Compact rows', hint: 'density spacing', run: set({ density: 'compact' }) }
        : { id: 'density:comfortable', label: 'Comfortable rows', hint: 'density spacing', run: set({ density: 'comfortable' }) },
    );
    list.push({
      id: 'shortcuts',
      label: 'Keyboard shortcuts',
      hint: 'help keys',
      run: () => {
        close();
        useStore.setState({ overlay: 'shortcuts' });
      },
    });
    return list;
  }, [queues, route, prefs, close]);
}

/** Ctrl/Cmd+K: type to narrow, arrows to choose, Enter to run, Escape to close. */
export function CommandPalette({ onClose }: { onClose: () => void }) {
  const commands = useCommands(onClose);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const listId = useId();
  const input = useRef<HTMLInputElement>(null);
  // After the dialog's showModal(), which focuses its first button.
  useEffect(() => input.current?.focus(), []);
  const shown = commands.filter((c) => matchesQuery(c, query));
  const current = shown[Math.min(active, shown.length - 1)];
  return (
    <Dialog title="Command palette" onClose={onClose}>
      <input
        className="palette-input"
        role="combobox"
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={current ? `${listId}-${current.id}` : undefined}
        aria-label="Command"
        placeholder="Type a queue, a screen or a setting"
        ref={input}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            const step = e.key === 'ArrowDown' ? 1 : -1;
            setActive((i) => (shown.length ? (Math.min(i, shown.length - 1) + step + shown.length) % shown.length : 0));
          } else if (e.key === 'Enter' && current) {
            e.preventDefault();
            current.run();
          }
        }}
      />
      <ul className="palette-list" role="listbox" id={listId} aria-label="Commands">
        {shown.map((c) => (
          <li
            key={c.id}
            id={`${listId}-${c.id}`}
            role="option"
            aria-selected={c === current}
            className={c === current ? 'active' : undefined}
            onMouseDown={(e) => e.preventDefault() /* keep focus in the field */}
            onClick={() => c.run()}
          >
            <span>{c.label}</span>
            {c.hint && <span className="muted small">{c.hint}</span>}
          </li>
        ))}
        {shown.length === 0 && <li className="muted palette-none">Nothing matches “{query}”.</li>}
      </ul>
    </Dialog>
  );
}
