/** The keyboard map: which key does what, kept apart from the DOM so it can be tested alone. */
export type ShortcutCommand = 'palette' | 'shortcuts' | 'filter' | 'next' | 'previous';

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/** What a key press asks for; `typing` is true while focus is in a text field. */
export function commandFor(e: KeyLike, typing: boolean): ShortcutCommand | null {
  // Ctrl+K on Linux and Windows, Cmd+K on macOS; works from inside a field too, like in editors.
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') return 'palette';
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (e.key) {
    case '?':
      return 'shortcuts';
    case '/':
      return 'filter';
    case 'j':
      return 'next';
    case 'k':
      return 'previous';
    default:
      return null;
  }
}

/** True for elements that take typed text, where single-letter shortcuts must not fire. */
export function isTextEntry(el: Pick<Element, 'tagName' | 'getAttribute'> | null): boolean {
  if (!el) return false;
  if ((el as Partial<HTMLElement>).isContentEditable) return true;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (el.getAttribute('type') ?? 'text').toLowerCase();
  return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes(type);
}

/** The cheat sheet, in the order it is shown. */
export const SHORTCUT_LIST: ReadonlyArray<{ keys: string[]; what: string }> = [
  { keys: ['Ctrl', 'K'], what: 'Command palette: go to a queue or screen, change theme or time zone (Cmd+K on macOS)' },
  { keys: ['/'], what: 'Focus the search field of the task table' },
  { keys: ['j'], what: 'Next row (queues, tasks)' },
  { keys: ['k'], what: 'Previous row' },
  { keys: ['Enter'], what: 'Open the selected row' },
  { keys: ['Esc'], what: 'Close a dialog or the palette' },
  { keys: ['?'], what: 'This list' },
];

/** The palette's filter: every term typed must appear in the label or hint, in any order. */
export function matchesQuery(command: { label: string; hint?: string }, query: string): boolean {
  const text = `${command.label} ${command.hint ?? ''}`.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((term) => text.includes(term));
}
