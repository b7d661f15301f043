/** Request and response bodies as the contract carries them (base64): bytes, text, JSON, size. */

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${+(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function base64ToBytes(b64: string): Uint8Array {
  if (!b64) return new Uint8Array();
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(data: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < data.length; i += 0x8000) bin += String.fromCharCode(...data.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function textToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

/** The body as text when it is UTF-8 (null when binary). */
export function decodeText(b64: string): string | null {
  const data = base64ToBytes(b64);
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(data);
    // Control characters other than whitespace mean binary.
    // eslint-disable-next-line no-control-regex -- matching control characters is the point: they mark a binary body
    return /[\u0000-\u0008\u000e-\u001f]/.test(text) ? null : text;
  } catch {
    return null;
  }
}

/** Pretty JSON when the text is JSON, else the text as is. */
export function prettyBody(text: string): { text: string; json: boolean } {
  const t = text.trim();
  if ((t.startsWith('{') || t.startsWith('[')) && t.length < 2_000_000) {
    try {
      return { text: JSON.stringify(JSON.parse(t), null, 2), json: true };
    } catch {
      /* not JSON */
    }
  }
  return { text, json: false };
}
