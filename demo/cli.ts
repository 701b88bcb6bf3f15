/**
 * `npm run demo`: a gateway and N headless nodes on loopback, ready for an OpenAI client.
 * Usage: npm run demo -- [--nodes N] [--json] [--verbose]
 */
import { parseArgs } from 'node:util';
import { startDemo } from './startDemo.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(`Usage: npm run demo -- [--nodes N] [--json] [--verbose]

Starts a BYOI gateway and N headless nodes (default 1) serving a generated tiny model, all on
127.0.0.1, enrolls the nodes, creates an API key and prints how to call it. Ctrl-C stops it.
  --nodes N    how many nodes (honours BYOI_THREADS for their CPU threads; default 1 thread)
  --json       print one JSON line once ready: baseURL, apiKey, model, gateway, and the
               nodes with their control API ({url, token}: GET /api/status)
  --verbose    show every process's logs
`);
  process.exit(0);
}

const nodes = Number(values.nodes);
if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16) {
  process.stderr.write(
    `demo: --nodes must be a whole number from 1 to 16, got '${values.nodes}'\n`,
  );
  process.exit(2);
}

if (!values.json) process.stderr.write(`Starting a gateway and ${nodes} node(s)…\n`);
const demo = await startDemo({ nodes, echoLogs: values.verbose });
const summary = {
  baseURL: demo.baseURL,
  apiKey: demo.apiKey,
  model: demo.model,
  gateway: {
    url: demo.gateway.ready.url,
    pid: demo.gateway.ready.pid,
    adminToken: demo.adminToken,
  },
  nodes: demo.nodes.map((node) => ({
    id: node.id,
    pid: node.process.ready.pid,
    openaiBaseURL: node.process.ready.openaiBaseURL,
    control: node.control,
  })),
};
if (values.json) {
  process.stdout.write(JSON.stringify(summary) + '\n');
} else {
  process.stdout.write(`
BYOI demo network is up: a gateway and ${nodes} node(s) serving '${demo.model}'.

  curl ${demo.baseURL}/chat/completions \\
    -H 'authorization: Bearer ${demo.apiKey}' -H 'content-type: application/json' \\
    -d '{"model":"${demo.model}","messages":[{"role":"user","content":"Hello!"}],"max_tokens":32}'

  OpenAI client: new OpenAI({ baseURL: '${demo.baseURL}', apiKey: '${demo.apiKey}' })
  Admin API:     ${demo.gateway.ready.url}/admin/v1 (Bearer ${demo.adminToken})
${demo.nodes
  .map(
    (node, index) =>
      `  Node ${index + 1} control: curl ${node.control.url}/api/status -H 'authorization: Bearer ${node.control.token}'`,
  )
  .join('\n')}

Press Ctrl-C to stop everything.
`);
}

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await demo.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
