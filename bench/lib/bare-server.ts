/**
 * The ceiling: servers that do nothing but answer CreateTask with a canned Task, over gRPC
 * (grpc-js with the same descriptors) and over HTTP (node:http with a canned JSON body).
 * Run as a child process; prints {"grpcPort":..,"httpPort":..} on stdout; answers "cpu" on stdin
 * with the CPU time all its threads have used (µs).
 */
import * as grpc from '@grpc/grpc-js';
import * as http from 'node:http';
import { toProto3JSON } from 'proto3-json-serializer';
import { lookupType, protoRoot } from '../../src/main/core/protos';

const TASK = {
  name: 'projects/bench/locations/us-central1/queues/bench/tasks/1234567890123456789',
  httpRequest: { url: 'http://127.0.0.1:9/h', httpMethod: 'POST', headers: { 'User-Agent': 'Google-Cloud-Tasks' } },
  scheduleTime: { seconds: 1_800_000_000 },
  createTime: { seconds: 1_800_000_000 },
  dispatchDeadline: { seconds: 600 },
  view: 'BASIC',
};

async function main() {
  const root = protoRoot();
  const taskType = lookupType('google.cloud.tasks.v2.Task');
  const taskBytes = Buffer.from(taskType.encode(taskType.fromObject(TASK)).finish());
  const service = root.lookupService('google.cloud.tasks.v2.CloudTasks');
  const createTask = service.methods.CreateTask;
  createTask.resolve();
  const reqType = createTask.resolvedRequestType!;

  const server = new grpc.Server();
  server.addService(
    {
      CreateTask: {
        path: '/google.cloud.tasks.v2.CloudTasks/CreateTask',
        requestStream: false,
        responseStream: false,
        requestSerialize: (o: any) => Buffer.from(reqType.encode(o).finish()),
        // Decode like any server must, so the ceiling is a fair one.
        requestDeserialize: (b: Buffer) => reqType.decode(b),
        responseSerialize: (b: Buffer) => b,
        responseDeserialize: (b: Buffer) => b,
      },
    },
    { CreateTask: (_call: any, cb: any) => cb(null, taskBytes) },
  );
  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );

  const json = JSON.stringify(toProto3JSON(taskType.fromObject(TASK) as any, { numericEnums: true }));
  // Same server options as Tasklight's HTTP server, so only the work per call differs.
  const httpServer = http.createServer({ keepAlive: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(json) });
      res.end(json);
    });
  });
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
  const httpPort = (httpServer.address() as any).port;
  process.stdout.write(JSON.stringify({ grpcPort, httpPort }) + '\n');
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (line) => {
    if (String(line).trim() === 'cpu') process.stdout.write(JSON.stringify(process.cpuUsage()) + '\n');
  });
  process.on('SIGTERM', () => process.exit(0));
}

main();
