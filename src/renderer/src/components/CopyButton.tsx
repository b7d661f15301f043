import { useState, type ReactNode } from 'react';
import { toast } from '../store';

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Fallback for pages where the async clipboard is unavailable.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'offscreen';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

export function CopyButton({ text, label, children, className }: { text: string | (() => string); label: string; children?: ReactNode; className?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className={className ?? 'btn small'}
      aria-label={label}
      title={label}
      onClick={async () => {
        const value = typeof text === 'function' ? text() : text;
        // Tests (and people without clipboard access, from the console) can read what was copied.
        (window as Window & { __tasklightLastCopied?: string }).__tasklightLastCopied = value;
        const ok = await copyText(value);
        setDone(ok);
        if (!ok) toast('Could not copy to the clipboard', 'error');
        setTimeout(() => setDone(false), 1500);
      }}
    >
      {done ? 'Copied' : (children ?? 'Copy')}
    </button>
  );
}
