/**
 * The OIDC token of a task's latest attempt, decoded and verified against Tasklight's JWKS, with
 * the discovery document and JWKS links a handler verifies with.
 */
import { CopyButton } from '../../components/CopyButton';
import { useCommand } from '../../hooks/useCommand';
import { absoluteTime } from '../../lib/time';

export function TokenPanel({ token, audience, url }: { token: string; audience?: string; url: string }) {
  const { data: view } = useCommand('verifyToken', { token, audience: audience || undefined, url });
  if (!view) return <p className="muted">Verifying…</p>;
  const linkProps = { target: '_blank', rel: 'noreferrer' };
  return (
    <section className="token" aria-labelledby="token-title">
      <h2 id="token-title">OIDC token</h2>
      <p className={view.verified ? 'verify ok' : 'verify bad'} role="status">
        {view.verified ? '✓ Signature verified against Tasklight’s JWKS' : `✗ Not verified: ${view.error}`}
      </p>
      {view.warnings.length > 0 && (
        <ul className="warnings">
          {view.warnings.map((w) => (
            <li key={w}>⚠ {w}</li>
          ))}
        </ul>
      )}
      <div className="token-grid">
        <div>
          <h4>Header</h4>
          <pre className="body">
            <code>{JSON.stringify(view.header, null, 2)}</code>
          </pre>
        </div>
        <div>
          <h4>Claims</h4>
          <table className="headers" aria-label="Token claims">
            <tbody>
              {Object.entries(view.claims ?? {}).map(([k, v]) => (
                <tr key={k}>
                  <th scope="row" className="mono">
                    {k}
                  </th>
                  <td className="mono wrap">
                    {String(v)}
                    {(k === 'exp' || k === 'iat') && typeof v === 'number' ? <span className="muted"> ({absoluteTime(v * 1000)})</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <p className="small">
        Verify in your handler with issuer <code>{view.issuer}</code>: <a href={view.discoveryUri} {...linkProps}>discovery document</a> ·{' '}
        <a href={view.jwksUri} {...linkProps}>JWKS</a>
        <CopyButton text={token} label="Copy token" />
      </p>
    </section>
  );
}
