/** An HTTP request or response as Tasklight recorded it: the first line, headers and body. */
import type { HeaderMap, RequestView, ResponseView } from '../../../../shared/contract';
import { StatusBadge } from '../../components/Badges';
import { CopyButton } from '../../components/CopyButton';
import { bytes, decodeText, prettyBody } from '../../lib/body';

function Headers({ headers, label }: { headers: HeaderMap; label: string }) {
  const entries = Object.entries(headers);
  if (!entries.length) return <p className="muted small">No headers.</p>;
  return (
    <table className="headers" aria-label={label}>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k} className={/^x-(cloudtasks|appengine)-/i.test(k) ? 'ct-header' : undefined}>
            <th scope="row" className="mono">
              {k}
            </th>
            <td className="mono wrap">{/^authorization$/i.test(k) && v.length > 80 ? `${v.slice(0, 60)}…${v.slice(-12)}` : v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Body({ b64, size, truncated, label }: { b64: string; size?: number; truncated?: boolean; label: string }) {
  if (!b64) return <p className="muted small">No body.</p>;
  const text = decodeText(b64);
  const shown = text === null ? null : prettyBody(text);
  return (
    <div className="body-box">
      <div className="body-meta muted small">
        {shown?.json ? 'JSON' : text === null ? 'binary' : 'text'} · {bytes(size ?? atob(b64).length)}
        {truncated ? ' · excerpt' : ''}
        <CopyButton text={text ?? b64} label={`Copy ${label}`} />
      </div>
      <pre className="body" aria-label={label}>
        <code>{shown ? shown.text : `base64: ${b64}`}</code>
      </pre>
    </div>
  );
}

export function RequestBlock({ req, label }: { req: RequestView; label: string }) {
  return (
    <div className="req">
      <div className="req-line mono">
        <span className="method">{req.method}</span> <span className="wrap">{req.url}</span>
      </div>
      <h4>Headers</h4>
      <Headers headers={req.headers} label={`${label} headers`} />
      <h4>Body</h4>
      <Body b64={req.bodyBase64} size={req.bodySize} label={`${label} body`} />
    </div>
  );
}

export function ResponseBlock({ res, error, label }: { res: ResponseView | null; error: string | null; label: string }) {
  if (!res) return <p className="error-text">{error ?? 'No answer.'}</p>;
  return (
    <div className="res">
      <div className="req-line">
        <StatusBadge status={res.status} cls={res.status === null ? 'network' : res.status < 300 ? '2xx' : res.status < 400 ? '3xx' : res.status < 500 ? '4xx' : '5xx'} />
      </div>
      <h4>Headers</h4>
      <Headers headers={res.headers} label={`${label} headers`} />
      <h4>Body</h4>
      <Body b64={res.bodyBase64} truncated={res.truncated} label={`${label} body`} />
    </div>
  );
}
