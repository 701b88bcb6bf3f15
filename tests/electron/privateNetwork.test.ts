/**
 * The private network (main/electron/privateNetwork.ts) against the real bundled gateway,
 * out/main/byoi-gateway.js (run `npm run build` first). There is no Electron binary here, so
 * Electron's `utilityProcess.fork` is stood in for by `child_process.fork` of the same file,
 * and the engine's `joinNetwork` by a stand-in that enrolls a fresh Ed25519 key with the
 * real gateway (`POST /v1/node/enroll`), as the engine would.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NodeApiArgs } from '../../common/nodeApi.js';
import type { UtilityChildLike } from '../../main/electron/electronDeps.js';
import { PrivateNetwork, PRIVATE_ORG_NAME } from '../../main/electron/privateNetwork.js';
import { PRIVATE_NETWORK_FILES } from '../../main/electron/privateNetworkFiles.js';
import { FakeChild, FakeTimers, recordingLogger } from './fakes.js';

const GATEWAY_BIN = fileURLToPath(new URL('../../out/main/byoi-gateway.js', import.meta.url));

/** The stand-in for Electron's utilityProcess child: a Node child_process of the same file. */
class ForkedGateway extends EventEmitter implements UtilityChildLike {
  readonly exited: Promise<number>;

  constructor(
    readonly process: ChildProcess,
    readonly args: string[],
  ) {
    super();
    process.on('spawn', () => this.emit('spawn'));
    process.on('error', (error) => this.emit('error', 'FatalError', error.message));
    this.exited = new Promise((resolve) =>
      process.on('exit', (code, signal) => {
        const exitCode = code ?? (signal ? 128 : -1);
        this.emit('exit', exitCode);
        resolve(exitCode);
      }),
    );
  }

  get pid() {
    return this.process.pid;
  }
  get stdout() {
    return this.process.stdout;
  }
  get stderr() {
    return this.process.stderr;
  }
  postMessage(message: unknown): void {
    this.process.send?.(message as string);
  }
  kill(): boolean {
    return this.process.kill('SIGTERM');
  }
}

/** The stand-in for `utilityProcess.fork(modulePath, args, { stdio: 'pipe' })`. */
function forkUtilityStandIn(modulePath: string, args: string[]): ForkedGateway {
  const child = fork(modulePath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  return new ForkedGateway(child, args);
}

const dirs: string[] = [];
const running: ForkedGateway[] = [];
afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
  }
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

beforeAll(() => {
  if (!existsSync(GATEWAY_BIN)) throw new Error(`${GATEWAY_BIN} is missing: run npm run build`);
});

async function setup(userDataDir?: string) {
  const userData = userDataDir ?? (await mkdtemp(join(tmpdir(), 'byoi-private-')));
  if (!userDataDir) dirs.push(userData);
  const timers = new FakeTimers();
  const children: ForkedGateway[] = [];
  const joins: NodeApiArgs<'joinNetwork'>[] = [];
  const enrolled: { nodeId: string; orgId: string }[] = [];
  const logger = recordingLogger();
  const network = new PrivateNetwork({
    userDataDir: userData,
    fork: (args) => {
      const child = forkUtilityStandIn(GATEWAY_BIN, args);
      children.push(child);
      running.push(child);
      return child;
    },
    // The engine's joinNetwork: enroll a new node key with the gateway, as the engine does.
    joinNetwork: async (args) => {
      joins.push(args);
      const der = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
      const response = await fetch(`${args.gatewayURL}/v1/node/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: args.code, publicKey: der.subarray(-32).toString('base64') }),
      });
      const body = (await response.json()) as { nodeId: string; orgId: string };
      if (!response.ok) throw new Error(`enroll: ${JSON.stringify(body)}`);
      enrolled.push(body);
      return body;
    },
    timers,
    now: timers.now,
    logger,
  });
  const adminToken = () =>
    readFileSync(join(userData, PRIVATE_NETWORK_FILES.adminToken), 'utf8').trim();
  const admin = async <T>(url: string, path: string): Promise<T> => {
    const response = await fetch(`${url}/admin/v1${path}`, {
      headers: { authorization: `Bearer ${adminToken()}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  return { userData, timers, children, joins, enrolled, logger, network, adminToken, admin };
}

describe('PrivateNetwork', () => {
  it('starts the gateway, makes the org, key and code once, and enrolls the engine; a relaunch reuses them', async () => {
    const first = await setup();
    const info = await first.network.start();

    // Forked with port 0 the first time; the admin token is a 0600 hex file the gateway reads.
    expect(first.children).toHaveLength(1);
    const token = first.adminToken();
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const tokenFile = join(first.userData, PRIVATE_NETWORK_FILES.adminToken);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(first.children[0]!.args).toEqual([
      '--json',
      '--port',
      '0',
      '--data-dir',
      join(first.userData, 'gateway'),
    ]);
    // The token is in the gateway's own data folder, never on a command line (ps shows those).
    expect(first.children[0]!.args.join(' ')).not.toContain(token);

    // Loopback, a real key for clients, and the engine enrolled with a real code.
    expect(info.gatewayURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.adminURL).toBe(`${info.gatewayURL}/admin/v1`);
    expect(info.apiKey).toMatch(/^byoi-sk-/);
    const models = await fetch(`${info.gatewayURL}/v1/models`, {
      headers: { authorization: `Bearer ${info.apiKey}` },
    });
    expect(models.status).toBe(200);
    expect(first.joins).toHaveLength(1);
    expect(first.joins[0]!.gatewayURL).toBe(info.gatewayURL);
    const orgs = await first.admin<{ data: { id: string; name: string }[] }>(
      info.gatewayURL,
      '/orgs',
    );
    expect(orgs.data.map((org) => org.name)).toEqual([PRIVATE_ORG_NAME]);
    const orgId = orgs.data[0]!.id;
    expect(first.enrolled).toEqual([expect.objectContaining({ orgId })]);
    const state = JSON.parse(
      readFileSync(join(first.userData, PRIVATE_NETWORK_FILES.state), 'utf8'),
    ) as { port: number; orgId: string; joined: boolean; enrollmentCode: string | null };
    expect(state).toMatchObject({ orgId, joined: true, enrollmentCode: null });
    expect(state.port).toBe(Number(new URL(info.gatewayURL).port));
    expect(statSync(join(first.userData, PRIVATE_NETWORK_FILES.state)).mode & 0o777).toBe(0o600);

    // A second start while it runs answers the same, without a new process or new records.
    await expect(first.network.start()).resolves.toEqual(info);
    expect(first.children).toHaveLength(1);

    // Quit: the gateway process ends.
    const child = first.children[0]!;
    await first.network.stop();
    expect(await child.exited).toBe(0);

    // Next launch: same port (so the same URL), same org and key, no new join.
    expect(PrivateNetwork.isConfigured(first.userData)).toBe(true);
    const second = await setup(first.userData);
    const again = await second.network.start();
    expect(second.children[0]!.args.slice(0, 3)).toEqual(['--json', '--port', String(state.port)]);
    expect(again).toEqual(info);
    expect(second.joins).toHaveLength(0);
    const orgsAfter = await second.admin<{ data: unknown[] }>(info.gatewayURL, '/orgs');
    expect(orgsAfter.data).toHaveLength(1);
    const keys = await second.admin<{ data: unknown[] }>(info.gatewayURL, `/keys?orgId=${orgId}`);
    expect(keys.data).toHaveLength(1);
    const nodes = await second.admin<{ data: unknown[] }>(info.gatewayURL, `/nodes?orgId=${orgId}`);
    expect(nodes.data).toHaveLength(1);
    expect(second.adminToken()).toBe(token);
    const secondChild = second.children[0]!;
    await second.network.stop();
    expect(await secondChild.exited).toBe(0);
  });

  it('starts the gateway again, on the same port, after 1 s when it dies', async () => {
    const { network, children, timers, joins } = await setup();
    const info = await network.start();
    const first = children[0]!;
    first.process.kill('SIGKILL'); // a crash, not a quit
    await first.exited;
    expect(timers.pending()).toEqual([1_000]);
    timers.advance(1_000);
    expect(children).toHaveLength(2);
    expect(children[1]!.args[2]).toBe(new URL(info.gatewayURL).port);
    await expect(network.start()).resolves.toEqual(info);
    expect(joins).toHaveLength(1);
    await network.stop();
    expect(await children[1]!.exited).toBe(0);
  });
});

describe('PrivateNetwork without a real gateway', () => {
  async function withFake() {
    const userData = await mkdtemp(join(tmpdir(), 'byoi-private-'));
    dirs.push(userData);
    const timers = new FakeTimers();
    const children: FakeChild[] = [];
    const network = new PrivateNetwork({
      userDataDir: userData,
      fork: (args) => {
        const child = new FakeChild('gateway', args);
        children.push(child);
        return child;
      },
      joinNetwork: async () => ({}),
      timers,
      now: timers.now,
      logger: recordingLogger(),
    });
    return { userData, timers, children, network };
  }

  it("fails start() with the gateway's last words when it exits before ready, and retries", async () => {
    const { network, children, timers } = await withFake();
    const started = network.start();
    const child = children[0]!;
    child.stderr!.emit('data', 'Error: listen EADDRINUSE: address already in use\n');
    child.exit(1);
    await expect(started).rejects.toThrow(/exit code 1.*EADDRINUSE/);
    expect(timers.pending()).toEqual([1_000]);
    timers.advance(1_000);
    expect(children).toHaveLength(2);
  });

  it('refuses a gateway that is not on loopback', async () => {
    const { network, children } = await withFake();
    const started = network.start();
    const child = children[0]!;
    child.stdout!.emit('data', '{"event":"ready","url":"http://0.0.0.0:8787","pid":1}\n');
    expect(child.killed).toBe(true);
    child.exit(0);
    await expect(started).rejects.toThrow(/not on loopback/);
  });

  it('moves an unreadable state file aside instead of trusting it', async () => {
    const { network, children, userData } = await withFake();
    await writeFile(join(userData, PRIVATE_NETWORK_FILES.state), '{nope');
    const started = network.start();
    expect(children[0]!.args.slice(1, 3)).toEqual(['--port', '0']);
    expect(existsSync(join(userData, `${PRIVATE_NETWORK_FILES.state}.corrupt`))).toBe(true);
    children[0]!.exit(1);
    await expect(started).rejects.toThrow();
  });
});
