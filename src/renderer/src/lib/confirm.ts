/** Confirms with the native dialog; fine for destructive actions. */
export function confirmAction(text: string): boolean {
  return window.confirm(text);
}
