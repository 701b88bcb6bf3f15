/** What the gateway benches share: keep-alive POSTs timed one by one or in loops, helper scripts, and a gateway. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { callAdmin } from '../demo/adminApi.js';
import { GATEWAY_BIN, spawnJsonProcess } from '../demo/jsonProcess.js';

export interface Target {
  host: string;
  port: number;
  path: string;
  headers: Record<string, string>;
  /** The JSON body of each call (a function, for a body that changes per call). */
  body: string | (() => string);
}

/** Timed POSTs over one keep-alive agent sized for `clients` loops. */
export function httpCaller(clients: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients * 2 });

  /** One POST; resolves with its duration in ms (rejects on a non-200). */
  function call(target: Target): Promise<number> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: target.host,
          port: target.port,
          path: target.path,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', ...target.headers },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(performance.now() - started)
              : reject(new Error(`HTTP ${res.statusCode} from ${target.port}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(typeof target.body === 'string' ? target.body : target.body());
    });
  }

  /** Requests/s with `clients` loops calling `target` for `seconds`. */
  async function throughput(target: Target, seconds: number): Promise<number> {
    const until = performance.now() + seconds * 1000;
    let done = 0;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < until) {
          await call(target);
          done++;
        }
      }),
    );
    return done / seconds;
  }

  return { call, throughput, close: () => agent.destroy() };
}

/** Starts a bench script (next to this file) that prints its port on its first line. */
export async function startScript(
  name: string,
  args: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const script = fileURLToPath(new URL(name, import.meta.url));
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { child, port: Number(line) };
}

/** A real `byoi-gateway` on port 0 with a data folder of its own (removed on stop). */
export interface BenchGateway {
  url: string;
  admin<T>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Starts the built gateway with `args` besides its port, data folder and admin token. */
export async function startBenchGateway(name: string, args: string[] = []): Promise<BenchGateway> {
  const dir = mkdtempSync(join(tmpdir(), `byoi-bench-${name}-`));
  const adminToken = randomBytes(24).toString('hex');
  const gateway = await spawnJsonProcess<{ url: string }>(GATEWAY_BIN, [
    '--json',
    '--port',
    '0',
    '--data-dir',
    join(dir, 'gateway'),
    '--admin-token',
    adminToken,
    ...args,
  ]);
  const { url } = gateway.ready;
  return {
    url,
    admin: (method, path, body) => callAdmin(url, adminToken, method, path, body),
    stop: async () => {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
