/**
 * The HTTP request a task sends, as a form: method, URL, headers as "Name: value" lines, body as
 * text. The create-task form and replay-with-edits both use it; lib/headers.ts turns the lines
 * back into headers.
 */
import { Field } from './Field';

export interface RequestDraft {
  method: string;
  url: string;
  /** One "Name: value" per line. */
  headers: string;
  body: string;
}

const METHODS = ['POST', 'GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

export function RequestEditor({
  draft,
  onChange,
  urlType,
  headerRows,
  bodyRows,
  showBody = true,
}: {
  draft: RequestDraft;
  onChange: (draft: RequestDraft) => void;
  /** "url" lets the browser check the URL before submitting. */
  urlType?: 'url';
  headerRows: number;
  bodyRows: number;
  showBody?: boolean;
}) {
  const set = (change: Partial<RequestDraft>) => onChange({ ...draft, ...change });
  return (
    <>
      <div className="form-row">
        <Field label="Method">
          <select value={draft.method} onChange={(e) => set({ method: e.target.value })}>
            {METHODS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </Field>
        <Field label="URL">
          <input type={urlType} value={draft.url} onChange={(e) => set({ url: e.target.value })} className="mono grow" required />
        </Field>
      </div>
      <Field label="Headers" hint="One “Name: value” per line">
        <textarea value={draft.headers} onChange={(e) => set({ headers: e.target.value })} rows={headerRows} className="mono" />
      </Field>
      {showBody && (
        <Field label="Body">
          <textarea value={draft.body} onChange={(e) => set({ body: e.target.value })} rows={bodyRows} className="mono" />
        </Field>
      )}
    </>
  );
}
