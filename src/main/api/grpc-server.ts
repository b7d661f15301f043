import * as grpc from '@grpc/grpc-js';
import { invalidArgument } from '../core/errors';
import { OBJECT_OPTIONS } from '../core/protos';
import { grpcStatusDetails } from './rpc-status';
import { methodPath, servedServices, type RpcImplementation } from './rpc';

const DECODE_ERROR = Symbol('decodeError');

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
    const definition: Record<string, grpc.MethodDefinition<any, any>> = {};
    const handlers: grpc.UntypedServiceImplementation = {};
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
        requestSerialize: (obj: object) => Buffer.from(requestType.encode(requestType.fromObject(obj)).finish()),
        requestDeserialize: (bytes: Buffer) => {
          try {
            return requestType.toObject(requestType.decode(bytes), OBJECT_OPTIONS);
          } catch (err) {
            return { [DECODE_ERROR]: (err as Error).message };
          }
        },
        responseSerialize: (obj: object) => Buffer.from(responseType.encode(responseType.fromObject(obj)).finish()),
        responseDeserialize: (bytes: Buffer) => responseType.toObject(responseType.decode(bytes), OBJECT_OPTIONS),
      };
      handlers[method.name] = (call: grpc.ServerUnaryCall<any, any>, callback: grpc.sendUnaryData<any>) => {
        const request = call.request;
        const result = request?.[DECODE_ERROR]
          ? Promise.reject(invalidArgument(`Invalid ${requestType.name} message: ${request[DECODE_ERROR]}`))
          : handler
            ? Promise.resolve().then(() => handler(request, { transport: 'grpc' }))
            : Promise.reject(new Error(`no implementation for ${path}`));
        result.then(
          (response) => callback(null, response),
          (err) => {
            const status = grpcStatusDetails(err);
            const metadata = new grpc.Metadata();
            if (status.statusDetailsBin) metadata.set('grpc-status-details-bin', status.statusDetailsBin);
            callback({ code: status.code, details: status.details, metadata } as grpc.ServiceError, null);
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
