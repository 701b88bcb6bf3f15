/**
 * llama.cpp's own `llama-server`, the peer to measure against, started on a generated model
 * with the settings the node's bench uses (1 thread, `slots` parallel sequences, loopback).
 * The project never builds or ships it: the bench runs it only when given its path.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** Starts llama-server and resolves once its health check answers. */
export async function startLlamaServer(
  binary: string,
  modelPath: string,
  slots: number,
): Promise<{ baseURL: string; stop(): void }> {
  const port = await freePort();
  const child = spawn(
    binary,
    [
      ...['-m', modelPath, '--host', '127.0.0.1', '--port', String(port)],
      ...['-t', '1', '-tb', '1', '-np', String(slots), '-c', String(1024 * slots)],
    ],
    { stdio: 'ignore' },
  );
  child.once('error', () => undefined);
  const baseURL = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`llama-server exited with ${child.exitCode}`);
    const healthy = await fetch(`${baseURL}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return { baseURL: `${baseURL}/v1`, stop: () => child.kill() };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error('llama-server did not become healthy within 60 s');
}
