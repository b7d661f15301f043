import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';

/**
 * The Cloud Tasks protos exactly as the official Node client ships them. Every RPC, field,
 * REST route and JSON name Tasklight serves is derived from this one root.
 */
const requireFromHere = createRequire(__filename);

function packageDir(pkg: string): string {
  // Resolve through package.json of the package itself; some packages hide build/ behind "exports".
  const tasksMain = requireFromHere.resolve('@google-cloud/tasks');
  let dir = path.dirname(tasksMain);
  if (pkg === '@google-cloud/tasks') {
    while (!dir.endsWith(path.join('@google-cloud', 'tasks'))) dir = path.dirname(dir);
    return dir;
  }
  const fromTasks = createRequire(tasksMain);
  let gax = path.dirname(fromTasks.resolve(pkg));
  while (path.basename(gax) !== pkg) gax = path.dirname(gax);
  return gax;
}

let cached: protobuf.Root | undefined;

export function protoRoot(): protobuf.Root {
  if (cached) return cached;
  const tasksJson = requireFromHere(path.join(packageDir('@google-cloud/tasks'), 'build/protos/protos.json'));
  const locationsJson = requireFromHere(path.join(packageDir('google-gax'), 'build/protos/locations.json'));
  const root = protobuf.Root.fromJSON(tasksJson);
  // Only the Locations mixin: the rest of that file repeats google.api and google.protobuf.
  (root.lookup('google.cloud') as protobuf.Namespace).addJSON({
    location: locationsJson.nested.google.nested.cloud.nested.location,
  });
  // The v2 REST surface carries queue-level routing (Queue.httpTarget, GA 2024) that the v2 protos
  // shipped with the client lack; graft the v2beta3 message on so v2 REST callers can use it.
  const v2Queue = root.lookupType('google.cloud.tasks.v2.Queue');
  if (!v2Queue.fields.httpTarget) {
    v2Queue.add(new protobuf.Field('httpTarget', 13, 'google.cloud.tasks.v2beta3.HttpTarget'));
  }
  // google.rpc.Help (error_details.proto) travels in error details; the bundle omits it.
  const rpc = root.lookup('google.rpc') as protobuf.Namespace;
  if (!rpc.get('Help')) {
    rpc.addJSON({
      Help: {
        fields: { links: { rule: 'repeated', type: 'Link', id: 1 } },
        nested: { Link: { fields: { description: { type: 'string', id: 1 }, url: { type: 'string', id: 2 } } } },
      },
    });
  }
  root.resolveAll();
  cached = root;
  return root;
}

/** One shape for every decoded message, whichever transport it came from. */
export const OBJECT_OPTIONS: protobuf.IConversionOptions = {
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: false,
};

const types = new Map<string, protobuf.Type>();

export function lookupType(name: string): protobuf.Type {
  let type = types.get(name);
  if (!type) {
    type = protoRoot().lookupType(name);
    types.set(name, type);
  }
  return type;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- protobufjs's plain-object form: its shape is the descriptor's, known only at run time, and every caller reads the fields its RPC defines
export type ProtoObject = Record<string, any>;

export function encodeMessage(typeName: string, obj: ProtoObject): Uint8Array {
  const type = lookupType(typeName);
  return type.encode(type.fromObject(obj)).finish();
}

export function decodeMessage(typeName: string, bytes: Uint8Array): ProtoObject {
  const type = lookupType(typeName);
  return type.toObject(type.decode(bytes), OBJECT_OPTIONS);
}
