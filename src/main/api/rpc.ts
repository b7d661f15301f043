import type * as protobuf from 'protobufjs';
import { protoRoot, type ProtoObject } from '../core/protos';

/** The services Tasklight serves, on both transports. */
export const SERVED_SERVICES = [
  'google.cloud.tasks.v2.CloudTasks',
  'google.cloud.tasks.v2beta3.CloudTasks',
  'google.cloud.location.Locations',
] as const;

export type ServedService = (typeof SERVED_SERVICES)[number];

export interface CallContext {
  transport: 'grpc' | 'rest';
}

/**
 * One implementation per RPC, keyed by the gRPC method path (`/google.cloud.tasks.v2.CloudTasks/CreateTask`).
 * Requests and responses are plain objects in the shape of `OBJECT_OPTIONS` (core/protos.ts), so
 * neither transport's encoding leaks into the implementation.
 */
export type UnaryHandler = (request: ProtoObject, ctx: CallContext) => Promise<ProtoObject>;
export type RpcImplementation = ReadonlyMap<string, UnaryHandler>;

export function servedServices(): protobuf.Service[] {
  const root = protoRoot();
  return SERVED_SERVICES.map((name) => root.lookupService(name));
}

export function methodPath(service: protobuf.Service, method: protobuf.Method): string {
  return `/${service.fullName.replace(/^\./, '')}/${method.name}`;
}
