/**
 * The demo network on loopback: a gateway, N headless nodes serving the generated tiny
 * model, an organization with an API key, and every node enrolled. `npm run demo` prints how
 * to call it; the end-to-end tests and benchmarks start the same thing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelPrice } from '../common/protocol.js';
import {
  GATEWAY_BIN,
  NODE_BIN,
  runToCompletion,
  spawnJsonProcess,
  type JsonProcess,
} from './jsonProcess.js';
import { callAdmin } from './adminApi.js';
import { controlAccess, type ControlAccess } from './nodeControl.js';
import { SMALL_SHAPE, TINY_SHAPE, writeTinyModel, type TinyTemplate } from './tinyModel.js';

export interface GatewayReady {
  event: 'ready';
  url: string;
  pid: number;
}

export interface NodeReady {
  event: 'ready';
  pid: number;
  nodeId: string | null;
  openaiBaseURL: string;
  controlURL: string;
  dataDir: string;
  models: string[];
  link: 'online' | 'offline' | 'disabled';
  schedule: 'serving' | 'waiting' | 'paused';
}

export interface DemoNodeOptions {
  price?: ModelPrice;
  /** Extra `byoi-node` flags, e.g. `['--parallel', '1']`. */
  args?: string[];
}

export interface DemoOptions {
  /** How many nodes (default 1), or their options one by one. */
  nodes?: number | DemoNodeOptions[];
  /** Folder for every data folder and the model; a new temporary one by default (removed on stop). */
  dir?: string;
  gatewayArgs?: string[];
  /** Copy every process's logs to stderr. */
  echoLogs?: boolean;
  /** The generated model: 'tiny' (0.5 MB, the default) or 'small' (about 80 MB). */
  model?: 'tiny' | 'small';
  /** Its chat template: ChatML (the default), or `tools`, a Qwen2.5-style one with tool calling. */
  template?: TinyTemplate;
}

export interface DemoNode {
  id: string;
  dataDir: string;
  /** The node's control API (`NodeApi` over HTTP) and its token. */
  control: ControlAccess;
  process: JsonProcess<NodeReady>;
}

export interface Demo {
  baseURL: string;
  apiKey: string;
  model: string;
  orgId: string;
  adminToken: string;
  dir: string;
  modelPath: string;
  gateway: JsonProcess<GatewayReady>;
  nodes: DemoNode[];
  /** Calls the gateway's admin API. */
  admin<T>(method: string, path: string, body?: unknown): Promise<T>;
  /**
   * Starts the gateway again on the same port and data folder (after it was stopped) and
   * resolves once every running node has reconnected and announced its models.
   */
  restartGateway(): Promise<void>;
  /** Starts one more enrolled node. */
  addNode(options?: DemoNodeOptions): Promise<DemoNode>;
  stop(): Promise<void>;
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const ownsDir = !options.dir;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'byoi-demo-'));
  const model = options.model ?? 'tiny';
  const modelPath = writeTinyModel(
    join(dir, `${model}.gguf`),
    model === 'small' ? SMALL_SHAPE : TINY_SHAPE,
    options.template,
  );
  const adminToken = randomBytes(24).toString('hex');
  const threads = process.env.BYOI_THREADS ?? '1';
  const spawnOptions = { echoLogs: options.echoLogs, env: { BYOI_THREADS: threads } };
  const gatewayArgs = (port: string) => [
    '--json',
    '--port',
    port,
    '--data-dir',
    join(dir, 'gateway'),
    '--admin-token',
    adminToken,
    ...(options.gatewayArgs ?? []),
  ];
  const demo = {} as Demo;
  let nodesStarted = 0;
  const processes: JsonProcess<unknown>[] = [];
  try {
    demo.gateway = await spawnJsonProcess<GatewayReady>(
      GATEWAY_BIN,
      gatewayArgs('0'),
      spawnOptions,
    );
    processes.push(demo.gateway);
    const gatewayURL = demo.gateway.ready.url;
    const admin = <T>(method: string, path: string, body?: unknown): Promise<T> =>
      callAdmin<T>(demo.gateway.ready.url, adminToken, method, path, body);
    const org = await admin<{ id: string }>('POST', '/orgs', { name: 'demo' });
    const key = await admin<{ key: string }>('POST', `/orgs/${org.id}/keys`, { name: 'demo' });

    const addNode = async (nodeOptions: DemoNodeOptions = {}): Promise<DemoNode> => {
      const index = nodesStarted++;
      const dataDir = join(dir, `node-${index + 1}`);
      const { code } = await admin<{ code: string }>(
        'POST',
        `/orgs/${org.id}/enrollment-codes`,
        {},
      );
      const enrolled = await runToCompletion(NODE_BIN, [
        'enroll',
        '--gateway',
        gatewayURL,
        '--code',
        code,
        '--data-dir',
        dataDir,
        '--name',
        `demo-node-${index + 1}`,
      ]);
      if (enrolled.code !== 0) throw new Error(`byoi-node enroll failed: ${enrolled.stderr}`);
      const price = nodeOptions.price ?? { prompt: 0.1, completion: 0.2 };
      const node = await spawnJsonProcess<NodeReady>(
        NODE_BIN,
        [
          '--json',
          '--model',
          modelPath,
          '--openai',
          '127.0.0.1:0',
          '--control',
          '127.0.0.1:0',
          '--data-dir',
          dataDir,
          '--price-prompt',
          String(price.prompt),
          '--price-completion',
          String(price.completion),
          ...(nodeOptions.args ?? []),
        ],
        spawnOptions,
      );
      processes.push(node);
      // Ready means welcomed; routable means the gateway has also taken the node's announce.
      const nodeId = node.ready.nodeId;
      await demo.gateway.waitForLog(
        (line) => line.msg === 'node announced' && line.nodeId === nodeId,
      );
      const demoNode = {
        id: node.ready.nodeId ?? '',
        dataDir,
        control: await controlAccess(node.ready.controlURL, dataDir),
        process: node,
      };
      demo.nodes.push(demoNode);
      return demoNode;
    };

    Object.assign(demo, {
      baseURL: `${gatewayURL}/v1`,
      apiKey: key.key,
      model,
      orgId: org.id,
      adminToken,
      dir,
      modelPath,
      nodes: [],
      admin,
      addNode,
    });
    const nodeOptions = Array.isArray(options.nodes)
      ? options.nodes
      : Array.from({ length: options.nodes ?? 1 }, () => ({}));
    for (const nodeOption of nodeOptions) await addNode(nodeOption);

    demo.restartGateway = async () => {
      const port = new URL(gatewayURL).port;
      demo.gateway = await spawnJsonProcess<GatewayReady>(
        GATEWAY_BIN,
        gatewayArgs(port),
        spawnOptions,
      );
      processes.push(demo.gateway);
      const gateway = demo.gateway;
      await Promise.all(
        demo.nodes
          .filter((node) => node.process.child.exitCode === null)
          .map((node) =>
            gateway.waitForLog((line) => line.msg === 'node announced' && line.nodeId === node.id),
          ),
      );
    };
    demo.stop = async () => {
      // Nodes first, so that they do not spend the gateway's shutdown reconnecting.
      await Promise.all(demo.nodes.map((node) => node.process.stop()));
      await demo.gateway.stop();
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
    };
    return demo;
  } catch (error) {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
