/**
 * The gateway's own overhead against a fast upstream, measured in one run. The upstream is a
 * minimal OpenAI-compatible server (`bench/fastUpstream.mjs`, its own process) that answers
 * at once; a real `byoi-gateway` routes to it as provider `fast`. Calls straight to the
 * upstream are the baseline, interleaved with calls through the gateway:
 *   1. Added latency, one request at a time: p50 and p99 (gateway − direct), targets ≤ 0.5 ms
 *      and ≤ 3 ms.
 *   2. Requests/s at 32 concurrent clients, alternating direct and gateway rounds: the ratio
 *      gateway ÷ direct, target ≥ 0.5.
 * A peer runs beside them: `bench/bareProxy.mjs`, the least a Node proxy does, with no auth,
 * routing or accounting. Its figures bound what any Node gateway reaches on this machine.
 * Usage: npm run bench:overhead -- [--requests N] [--seconds S] [--rounds N] [--clients N]
 */
import { parseArgs } from 'node:util';
import { httpCaller, startBenchGateway, startScript, type Target } from './httpBench.js';
import { percentile } from './streamTiming.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    clients: { type: 'string', default: '32' },
  },
});
const requests = Number(values.requests);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const clients = Number(values.clients);
const round3 = (n: number) => +n.toFixed(3);

const payload = JSON.stringify({
  model: 'fast',
  messages: [{ role: 'user', content: 'ping' }],
  max_tokens: 1,
});
const { call, throughput: loops, close } = httpCaller(clients);
const throughput = (target: Target) => loops(target, seconds);

async function main(): Promise<void> {
  const upstream = await startScript('./fastUpstream.mjs');
  const peer = await startScript('./bareProxy.mjs', [String(upstream.port)]);
  const gateway = await startBenchGateway('overhead');
  try {
    const org = await gateway.admin<{ id: string }>('POST', '/orgs', { name: 'bench' });
    const { key } = await gateway.admin<{ key: string }>('POST', `/orgs/${org.id}/keys`, {
      name: 'bench',
    });
    await gateway.admin('POST', '/providers', {
      name: 'fast',
      baseUrl: `http://127.0.0.1:${upstream.port}/v1`,
      apiKeys: ['sk-bench-upstream'],
      models: { fast: 'fast' },
      price: { prompt: 0.1, completion: 0.2 },
      maxConcurrent: 1024,
    });
    const gatewayURL = new URL(gateway.url);
    const direct: Target = {
      host: '127.0.0.1',
      port: upstream.port,
      path: '/v1/chat/completions',
      headers: { authorization: 'Bearer sk-bench-upstream' },
      body: payload,
    };
    const viaPeer: Target = { ...direct, port: peer.port };
    const viaGateway: Target = {
      host: gatewayURL.hostname,
      port: Number(gatewayURL.port),
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${key}` },
      body: payload,
    };

    // Warm both paths (JIT, connections, the store's first queries).
    for (let i = 0; i < 300; i++) {
      await Promise.all([call(direct), call(viaPeer), call(viaGateway)]);
    }

    const directMs: number[] = [];
    const peerMs: number[] = [];
    const gatewayMs: number[] = [];
    for (let i = 0; i < requests; i++) {
      // Alternate which goes first, so neither always runs on a warmer machine.
      if (i % 2 === 0) {
        directMs.push(await call(direct));
        peerMs.push(await call(viaPeer));
        gatewayMs.push(await call(viaGateway));
      } else {
        gatewayMs.push(await call(viaGateway));
        peerMs.push(await call(viaPeer));
        directMs.push(await call(direct));
      }
    }
    const rps = { direct: [] as number[], peer: [] as number[], gateway: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      rps.direct.push(await throughput(direct));
      rps.peer.push(await throughput(viaPeer));
      rps.gateway.push(await throughput(viaGateway));
    }
    const sum = (list: number[]) => list.reduce((a, b) => a + b, 0);
    const p = (list: number[], q: number) => percentile(list, q);
    const result = {
      requests,
      direct: { p50Ms: round3(p(directMs, 50)), p99Ms: round3(p(directMs, 99)) },
      gateway: { p50Ms: round3(p(gatewayMs, 50)), p99Ms: round3(p(gatewayMs, 99)) },
      addedP50Ms: round3(p(gatewayMs, 50) - p(directMs, 50)),
      addedP99Ms: round3(p(gatewayMs, 99) - p(directMs, 99)),
      peerAddedP50Ms: round3(p(peerMs, 50) - p(directMs, 50)),
      peerAddedP99Ms: round3(p(peerMs, 99) - p(directMs, 99)),
      clients,
      directRps: Math.round(sum(rps.direct) / rounds),
      peerRps: Math.round(sum(rps.peer) / rounds),
      gatewayRps: Math.round(sum(rps.gateway) / rounds),
      rpsRatio: round3(sum(rps.gateway) / sum(rps.direct)),
      peerRpsRatio: round3(sum(rps.peer) / sum(rps.direct)),
      targets: { addedP50Ms: 0.5, addedP99Ms: 3, rpsRatio: 0.5 },
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    close();
    await gateway.stop();
    upstream.child.kill();
    peer.child.kill();
  }
}

await main();
