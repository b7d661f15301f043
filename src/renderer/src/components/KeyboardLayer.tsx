import { useEffect } from 'react';
import { commandFor, isTextEntry, SHORTCUT_LIST, type ShortcutCommand } from '../lib/shortcuts';
import { useStore } from '../store';
import { CommandPalette } from './CommandPalette';
import { Dialog } from './Dialog';

/** Moves focus to the next or previous row link (queue cards, task rows); Enter then opens it. */
function moveRow(step: 1 | -1): void {
  const rows = [...document.querySelectorAll<HTMLElement>('[data-nav-row]')];
  if (!rows.length) return;
  const at = rows.indexOf(document.activeElement as HTMLElement);
  const next = at < 0 ? rows[step > 0 ? 0 : rows.length - 1] : rows[Math.max(0, Math.min(rows.length - 1, at + step))];
  next.focus();
  next.scrollIntoView({ block: 'nearest' });
}

function perform(command: ShortcutCommand): void {
  switch (command) {
    case 'palette':
      useStore.setState((s) => ({ overlay: s.overlay === 'palette' ? null : 'palette' }));
      return;
    case 'shortcuts':
      useStore.setState({ overlay: 'shortcuts' });
      return;
    case 'filter': {
      const field = document.querySelector<HTMLInputElement>('[data-shortcut-filter]');
      field?.focus();
      field?.select();
      return;
    }
    case 'next':
      return moveRow(1);
    case 'previous':
      return moveRow(-1);
  }
}

function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <table className="shortcut-table">
        <tbody>
          {SHORTCUT_LIST.map((s) => (
            <tr key={s.what}>
              <td>
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && ' + '}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </td>
              <td>{s.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}

/** The app-wide keyboard map (lib/shortcuts.ts) and the two overlays it opens. */
export function KeyboardLayer() {
  const overlay = useStore((s) => s.overlay);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      const command = commandFor(e, isTextEntry(document.activeElement));
      if (!command) return;
      // Inside another dialog (a form, a confirmation) keys belong to it; Ctrl+K still closes the palette.
      const dialogOpen = document.querySelector('dialog[open]') !== null;
      if (dialogOpen && !(command === 'palette' && useStore.getState().overlay === 'palette')) return;
      e.preventDefault();
      perform(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const close = () => useStore.setState({ overlay: null });
  if (overlay === 'palette') return <CommandPalette onClose={close} />;
  if (overlay === 'shortcuts') return <ShortcutsHelp onClose={close} />;
  return null;
}
