import { useState } from 'react';
import type { ServerInfo } from '../../../../shared/contract';
import { CopyButton } from '../../components/CopyButton';

interface Snippet {
  id: string;
  label: string;
  lang: string;
  code: string;
}

function snippets(info: ServerInfo | null): Snippet[] {
  const grpc = info?.grpcEndpoint ?? '127.0.0.1:8123';
  const http = info?.httpUrl ?? 'http://127.0.0.1:8124';
  const [gHost, gPort] = splitHostPort(grpc);
  const restHost = http.replace(/^https?:\/\//, '');
  const parent = info?.defaultParent ?? 'projects/my-project/locations/us-central1';
  const [, project, , location] = parent.split('/');
  return [
    {
      id: 'node',
      label: 'Node',
      lang: 'js',
      code: `import { CloudTasksClient } from '@google-cloud/tasks';
import { credentials } from '@grpc/grpc-js';

const client = new CloudTasksClient({
  apiEndpoint: '${gHost}',
  port: ${gPort},
  sslCreds: credentials.createInsecure(),
});
const parent = client.queuePath('${project}', '${location}', 'my-queue');
await client.createTask({
  parent,
  task: {
    httpRequest: {
      url: 'http://localhost:8080/handler',
      httpMethod: 'POST',
      body: Buffer.from(JSON.stringify({ hello: 'world' })),
    },
  },
});`,
    },
    {
      id: 'python',
      label: 'Python',
      lang: 'python',
      code: `import grpc
from google.cloud import tasks_v2
from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksGrpcTransport

channel = grpc.insecure_channel("${grpc}")
client = tasks_v2.CloudTasksClient(transport=CloudTasksGrpcTransport(channel=channel))
parent = client.queue_path("${project}", "${location}", "my-queue")
client.create_task(parent=parent, task={"http_request": {"url": "http://localhost:8080/handler"}})`,
    },
    {
      id: 'go',
      label: 'Go',
      lang: 'go',
      code: `client, err := cloudtasks.NewClient(ctx, // cloud.google.com/go/cloudtasks/apiv2
    option.WithEndpoint("${grpc}"),
    option.WithoutAuthentication(),
    option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
)`,
    },
    {
      id: 'java',
      label: 'Java',
      lang: 'java',
      code: `ManagedChannel channel = ManagedChannelBuilder.forTarget("${grpc}").usePlaintext().build();
CloudTasksSettings settings = CloudTasksSettings.newBuilder()
    .setTransportChannelProvider(
        FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
    .setCredentialsProvider(NoCredentialsProvider.create())
    .build();
CloudTasksClient client = CloudTasksClient.create(settings);`,
    },
    {
      id: 'gcloud',
      label: 'gcloud',
      lang: 'sh',
      code: `export CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDTASKS=${http}/
export CLOUDSDK_AUTH_DISABLE_CREDENTIALS=true
export CLOUDSDK_CORE_PROJECT=${project}
gcloud tasks queues create my-queue --location=${location}
gcloud tasks create-http-task --queue=my-queue --location=${location} --url=http://localhost:8080/handler`,
    },
    {
      id: 'firebase',
      label: 'firebase-admin',
      lang: 'sh',
      code: `export CLOUD_TASKS_EMULATOR_HOST=${restHost}`,
    },
  ];
}

function splitHostPort(endpoint: string): [string, string] {
  const i = endpoint.lastIndexOf(':');
  return [endpoint.slice(0, i).replace(/^\[|\]$/g, ''), endpoint.slice(i + 1)];
}

/** The first-run page: how to point each client at this instance, with copy buttons. */
export function GettingStarted({ info, onCreateQueue }: { info: ServerInfo | null; onCreateQueue?: () => void }) {
  const all = snippets(info);
  const [tab, setTab] = useState(all[0].id);
  const current = all.find((s) => s.id === tab) ?? all[0];
  return (
    <section className="start" aria-labelledby="start-title">
      <div className="start-intro">
        <h2 id="start-title">Point your app at Tasklight</h2>
        <p>
          Cloud Tasks clients have no emulator switch: set the endpoint in code. gRPC is at <code>{info?.grpcEndpoint ?? '…'}</code>,
          REST at <code>{info?.httpUrl ?? '…'}</code>. Queues appear here as soon as your app (or you) creates one.
        </p>
        {onCreateQueue && (
          <button type="button" className="btn primary" onClick={onCreateQueue}>
            Create a queue
          </button>
        )}
      </div>
      <div className="snippets">
        <div role="tablist" aria-label="Client language" className="tabs">
          {all.map((s) => (
            <button
              key={s.id}
              type="button"
              role="tab"
              id={`snippet-tab-${s.id}`}
              aria-selected={s.id === tab}
              aria-controls="snippet-panel"
              className={s.id === tab ? 'tab active' : 'tab'}
              onClick={() => setTab(s.id)}
            >
              {s.label}
            </button>
          ))}
        </div>
        <div role="tabpanel" id="snippet-panel" aria-labelledby={`snippet-tab-${current.id}`} className="snippet">
          <CopyButton text={current.code} label={`Copy the ${current.label} snippet`} className="btn small snippet-copy" />
          <pre>
            <code>{current.code}</code>
          </pre>
        </div>
      </div>
    </section>
  );
}
