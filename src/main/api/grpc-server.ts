import * as grpc from '@grpc/grpc-js';
import { invalidArgument } from '../core/errors';
import { OBJECT_OPTIONS, type ProtoObject } from '../core/protos';
import { wireProblem } from './grpc-wire-check';
import { grpcStatusDetails } from './rpc-status';
import { methodPath, servedServices, type RpcImplementation } from './rpc';

/** A request as the deserializer hands it over: the message, or why its bytes were refused. */
type Decoded = { message: ProtoObject } | { refused: string };

/**
 * The gRPC surface: one service definition per served proto service, built from the protobufjs
 * descriptors, so requests decode straight into the shape the implementation expects.
 */
export function createGrpcServer(impl: RpcImplementation): grpc.Server {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    'grpc.keepalive_permit_without_calls': 1,
    // Nothing reads channelz here; without it each call skips its counters and timestamps.
    'grpc.enable_channelz': 0,
  });
  for (const service of servedServices()) {
    const definition: Record<string, grpc.MethodDefinition<Decoded, ProtoObject>> = {};
    const handlers: Record<string, grpc.handleUnaryCall<Decoded, ProtoObject>> = {};
    for (const method of service.methodsArray) {
      method.resolve();
      const requestType = method.resolvedRequestType!;
      const responseType = method.resolvedResponseType!;
      const path = methodPath(service, method);
      const handler = impl.get(path);
      definition[method.name] = {
        path,
        requestStream: false,
        responseStream: false,
        originalName: method.name,
        requestSerialize: (decoded: Decoded) =>
          Buffer.from(requestType.encode(requestType.fromObject('message' in decoded ? decoded.message : {})).finish()),
        requestDeserialize: (bytes: Buffer): Decoded => {
          let message: ProtoObject;
          try {
            message = requestType.toObject(requestType.decode(bytes), OBJECT_OPTIONS);
          } catch (err) {
            return { refused: `Invalid ${requestType.name} message: ${(err as Error).message}` };
          }
          const problem = wireProblem(requestType, bytes);
          return problem ? { refused: problem } : { message };
        },
        responseSerialize: (obj: ProtoObject) => Buffer.from(responseType.encode(responseType.fromObject(obj)).finish()),
        responseDeserialize: (bytes: Buffer) => responseType.toObject(responseType.decode(bytes), OBJECT_OPTIONS),
      };
      handlers[method.name] = (call, callback) => {
        const request = call.request;
        const result =
          'refused' in request
            ? Promise.reject(invalidArgument(request.refused))
            : handler
              ? Promise.resolve().then(() => handler(request.message, { transport: 'grpc' }))
              : Promise.reject(new Error(`no implementation for ${path}`));
        result.then(
          (response) => callback(null, response),
          (err) => {
            const status = grpcStatusDetails(err);
            const metadata = new grpc.Metadata();
            if (status.statusDetailsBin) metadata.set('grpc-status-details-bin', status.statusDetailsBin);
            callback({ code: status.code, details: status.details, metadata }, null);
          },
        );
      };
    }
    server.addService(definition, handlers);
  }
  return server;
}

export function bindGrpc(server: grpc.Server, host: string, port: number): Promise<number> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, actualPort) => {
      if (err) {
        const e = new Error(`port ${port} is already in use (gRPC): ${err.message}`) as NodeJS.ErrnoException;
        e.code = /EADDRINUSE|address already in use/i.test(err.message) ? 'EADDRINUSE' : 'EBIND';
        reject(e);
      } else resolve(actualPort);
    });
  });
}
