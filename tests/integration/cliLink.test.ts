/**
 * The built `byoi-node` CLI on the network link: enroll, serve through a stand-in gateway
 * (ready only after the welcome), jobs, reconnects, refusals and a clean shutdown.
 * Needs `npm run build` first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloseCode, MODEL_CAPABILITIES, PROTOCOL_VERSION } from '../../common/protocol.js';
import { callNode, controlAccess } from '../../demo/nodeControl.js';
import { runNode, startNode, type NodeProcess } from '../support/nodeProcess.js';
import { StandIn } from '../support/standInGateway.js';
import { createTempModel, type TempModel } from '../support/tempModel.js';

let model: TempModel;
let dataDir: string;
let standIn: StandIn;
const running: NodeProcess[] = [];

/** The node's settings, through its control API. */
const settingsOf = async (node: NodeProcess) => {
  const { controlURL } = node.ready as unknown as { controlURL: string };
  return callNode(await controlAccess(controlURL, dataDir), 'getSettings', {});
};

beforeAll(() => {
  model = createTempModel();
});

afterAll(() => model.cleanup());

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'byoi-cli-link-'));
  standIn = await StandIn.start();
});

afterEach(async () => {
  for (const node of running.splice(0)) await node.stop();
  await standIn.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const enrollArgs = () => [
  'enroll',
  '--gateway',
  standIn.url,
  '--code',
  'byoi-enroll-x',
  '--data-dir',
  dataDir,
];

/** Starts `byoi-node` and lets the first link connection through the handshake. */
async function serveLinked(args: string[] = []) {
  const starting = startNode([
    '--model',
    model.path,
    '--data-dir',
    dataDir,
    '--parallel',
    '1',
    ...args,
  ]);
  const peer = await standIn.peer(0);
  const { announce } = await peer.handshake();
  const node = await starting;
  running.push(node);
  return { node, peer, announce, ready: node.ready };
}

describe('byoi-node enroll', () => {
  it('enrolls, prints the node id, and the node then serves jobs from the gateway', async () => {
    const enrolled = await runNode(enrollArgs());
    expect(enrolled.code).toBe(0);
    expect(enrolled.stdout).toContain('node-1');

    const { node, peer, announce, ready } = await serveLinked([
      '--price-prompt',
      '0.3',
      '--price-completion',
      '0.6',
    ]);
    expect(ready).toMatchObject({
      event: 'ready',
      nodeId: 'node-1',
      link: 'online',
      models: ['tiny'],
    });
    expect(announce.models).toEqual([
      {
        id: 'tiny',
        price: { prompt: 0.3, completion: 0.6 },
        slots: 1,
        contextLength: 2048,
        capabilities: [...MODEL_CAPABILITIES],
      },
    ]);
    await node.waitForLog((line) => line.msg === 'link online' && line.nodeId === 'node-1');

    peer.offer('cli-job', 6, { prompt: 0.3, completion: 0.6 });
    expect(await peer.frame('job.done', (f) => f.jobId === 'cli-job')).toMatchObject({
      usage: { completionTokens: 6 },
    });
    expect(node.logs.some((line) => JSON.stringify(line).includes('tell me a story'))).toBe(false);

    const stopped = node.waitForLog((line) => line.msg === 'stopped');
    node.child.kill('SIGTERM');
    expect(await peer.closed).toEqual({ code: CloseCode.GoingAway, reason: 'node shutting down' });
    await stopped;
    expect(await node.stop()).toBe(0);
  });

  it('prints JSON with --json, and exits 1 with the gateway message when refused', async () => {
    const json = await runNode([...enrollArgs(), '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      event: 'enrolled',
      nodeId: 'node-1',
      orgId: 'org-1',
    });

    await standIn.close();
    standIn = await StandIn.start({
      enroll: () => ({
        status: 403,
        body: { error: { message: 'This enrollment code was already used' } },
      }),
    });
    const refused = await runNode(enrollArgs());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('This enrollment code was already used');
  });

  it('exits 2 on usage errors', async () => {
    const { code, stderr } = await runNode([
      'enroll',
      '--gateway',
      standIn.url,
      '--data-dir',
      dataDir,
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('--code');
  });
});

describe('byoi-node serve on the link', () => {
  it('tells the user to enroll first when --gateway is given to a node that is not enrolled', async () => {
    const { code, stderr } = await runNode([
      '--model',
      model.path,
      '--gateway',
      standIn.url,
      '--data-dir',
      dataDir,
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('byoi-node enroll');
    expect(standIn.peers).toHaveLength(0);
  });

  it('logs link offline with the close code, and comes back online', async () => {
    expect((await runNode(enrollArgs())).code).toBe(0);
    const { node, peer } = await serveLinked();
    peer.send('garbage');
    const offline = await node.waitForLog((line) => line.msg === 'link offline');
    expect(offline).toMatchObject({ code: CloseCode.BadFrame, reason: 'frame is not JSON' });
    await (await standIn.peer(1)).handshake();
    await node.waitForLog(
      (line) => line.msg === 'link online' && node.logs.indexOf(line) > node.logs.indexOf(offline),
    );
  });

  it('serves locally only with --no-link, still naming the enrolled node', async () => {
    expect((await runNode(enrollArgs())).code).toBe(0);
    const node = await startNode(['--model', model.path, '--data-dir', dataDir, '--no-link']);
    running.push(node);
    expect(node.ready).toMatchObject({ nodeId: 'node-1', link: 'disabled' });
    expect(standIn.peers).toHaveLength(0);
    // Serving a model, local-only by choice: set up, so its dashboard opens on Overview.
    expect((await settingsOf(node)).onboarded).toBe(true);
  });

  it('leaves a node without a model on the setup wizard', async () => {
    const node = await startNode(['--data-dir', dataDir, '--no-link']);
    running.push(node);
    expect((await settingsOf(node)).onboarded).toBe(false);
  });

  it('exits 1 with a clear message when the gateway does not know the key', async () => {
    expect((await runNode(enrollArgs())).code).toBe(0);
    const starting = runNode([
      '--model',
      model.path,
      '--data-dir',
      dataDir,
      '--threads',
      '1',
      '--openai',
      '127.0.0.1:0',
    ]);
    const peer = await standIn.peer(0);
    peer.send({
      type: 'challenge',
      v: PROTOCOL_VERSION,
      nonce: 'bm9uY2U=',
      gatewayPublicKey: 'AA==',
    });
    await peer.frame('hello');
    peer.ws.close(CloseCode.UnknownKey, 'unknown node key');
    const { code, stderr } = await starting;
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /refused this node \(closed with 4002: unknown node key\).*byoi-node enroll/,
    );
  });
});
