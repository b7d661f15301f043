import { randomBytes } from 'node:crypto';
import { ApiError, Messages, invalidArgument, notFound } from './errors';
import type { ProtoObject } from './protos';
import { parseQueueName } from './resource-names';
import type { QueueRow, QueueStore } from './store/queue-store';
import type { WriteBatcher } from './store/write-batcher';

const POLICY_FIELDS = ['bindings', 'version', 'auditConfigs'];

/** IAM policies, stored per queue; every permission is granted. */
export class QueueIam {
  constructor(
    private readonly queues: QueueStore,
    private readonly writes: WriteBatcher,
  ) {}

  private requireQueue(name: string): QueueRow {
    const row = this.queues.get(name);
    if (!row) throw notFound(Messages.entityMissing);
    return row;
  }

  getPolicy(resource: string): ProtoObject {
    parseQueueName(resource);
    return policyOut(this.requireQueue(resource).iamPolicy);
  }

  async setPolicy(resource: string, policy: ProtoObject | undefined, maskPaths: string[] | null): Promise<ProtoObject> {
    parseQueueName(resource);
    if (!policy) throw invalidArgument('policy is required.');
    return this.writes.run(() => {
      const row = this.requireQueue(resource);
      const current = row.iamPolicy ?? { version: 0, bindings: [], etag: '' };
      const sentEtag = policy.etag && policy.etag.length ? Buffer.from(policy.etag).toString('base64') : '';
      if (sentEtag && current.etag && sentEtag !== current.etag) {
        throw new ApiError('ABORTED', 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.');
      }
      const fields = maskPaths && maskPaths.length ? maskPaths : POLICY_FIELDS;
      const next: Record<string, unknown> = { ...current };
      for (const f of fields) {
        if (f === 'etag') continue;
        if (!POLICY_FIELDS.includes(f)) throw invalidArgument(`Invalid update_mask path "${f}" for Policy.`);
        next[f] = policy[f] ?? (f === 'version' ? 0 : []);
      }
      next.etag = randomBytes(8).toString('base64');
      this.queues.setPolicy(resource, next);
      return policyOut(next);
    });
  }

  testPermissions(resource: string, permissions: string[]): string[] {
    parseQueueName(resource);
    return this.queues.get(resource) ? [...(permissions ?? [])] : [];
  }
}

function policyOut(policy: Record<string, unknown> | null): ProtoObject {
  if (!policy) return {};
  const out: ProtoObject = {};
  if (policy.version) out.version = policy.version;
  if ((policy.bindings as unknown[] | undefined)?.length) out.bindings = policy.bindings;
  if ((policy.auditConfigs as unknown[] | undefined)?.length) out.auditConfigs = policy.auditConfigs;
  if (policy.etag) out.etag = Buffer.from(policy.etag as string, 'base64');
  return out;
}
