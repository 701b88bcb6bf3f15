/**
 * The cost of going through the gateway, on the demo network (a real gateway and real nodes
 * on loopback, the generated tiny model, 1 thread per node), measured in one run:
 *   1. Relay cost: the same streamed request straight to the node's local endpoint and
 *      through the gateway to that same node (the only one), interleaved:
 *      tokens/s ratio (gateway ÷ direct), target ≥ 0.97 (issue 12); TTFT overhead p50 ≤ 5 ms, p95 ≤ 15 ms.
 *   2. 50 concurrent streaming clients over 2 nodes (`--parallel 25`): every request gets 200
 *      and finishes, no content chunk is lost or duplicated (against a reference stream of the
 *      same greedy request), and the ledger holds each request exactly once with its tokens.
 *   3. Reconnect: stop the gateway, wait until every node is offline, start it again and time
 *      from its ready line until every node is online again, target ≤ 2 s.
 *      Reported for the worst of a few restarts (`--restarts`), as the nodes' backoff is random.
 * Usage: npm run bench:relay -- [--rounds N] [--tokens N] [--clients N] [--client-tokens N]
 *          [--restarts N]
 */
import { parseArgs } from 'node:util';
import type { UsageRecord } from '../gateway/store/types.js';
import type { LogLine } from '../demo/jsonProcess.js';
import { startDemo, type Demo, type DemoNode } from '../demo/startDemo.js';
import { median, percentile, streamCompletion, type StreamTiming } from './streamTiming.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10' },
    tokens: { type: 'string', default: '200' },
    clients: { type: 'string', default: '50' },
    'client-tokens': { type: 'string', default: '200' },
    restarts: { type: 'string', default: '3' },
  },
});
const rounds = Number(values.rounds);
const maxTokens = Number(values.tokens);
const clients = Number(values.clients);
const clientTokens = Number(values['client-tokens']);
const restarts = Number(values.restarts);
const prompt = 'Tell me about the water, the people and the day.';
const seed = 42;
const WAIT_MS = 30_000;

const body = (tokens: number, content = prompt) => ({
  model: 'tiny',
  messages: [{ role: 'user', content }],
  max_tokens: tokens,
  seed,
  temperature: 0,
  stream: true,
  stream_options: { include_usage: true },
});
const bearer = (demo: Demo) => ({ authorization: `Bearer ${demo.apiKey}` });
const round2 = (n: number) => +n.toFixed(2);

/** Rejects when `promise` takes longer than `ms`, so that the benchmark never hangs. */
async function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Everything a stream said, parsed event by event (for checks, not timing). */
interface StreamRecord {
  status: number;
  ids: Set<string>;
  contentChunks: number;
  text: string;
  finishChunks: number;
  usageChunks: number;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  done: number;
  error: string | null;
}

interface ChunkEvent {
  id?: string;
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  error?: { message: string };
}

async function recordStream(
  baseURL: string,
  request: object,
  headers: Record<string, string> = {},
): Promise<StreamRecord> {
  const record: StreamRecord = {
    status: 0,
    ids: new Set(),
    contentChunks: 0,
    text: '',
    finishChunks: 0,
    usageChunks: 0,
    usage: null,
    done: 0,
    error: null,
  };
  try {
    const response = await fetch(`${baseURL}/chat/completions`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    record.status = response.status;
    if (!response.ok || !response.body) {
      record.error = await response.text();
      return record;
    }
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const bytes of response.body) {
      buffer += decoder.decode(bytes as Uint8Array, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!event.startsWith('data: ')) continue;
        const data = event.slice(6);
        if (data === '[DONE]') {
          record.done++;
          continue;
        }
        const chunk = JSON.parse(data) as ChunkEvent;
        if (chunk.error) record.error = chunk.error.message;
        if (chunk.id) record.ids.add(chunk.id);
        for (const choice of chunk.choices ?? []) {
          const content = choice.delta?.content;
          if (content) {
            record.contentChunks++;
            record.text += content;
          }
          if (choice.finish_reason) record.finishChunks++;
        }
        if (chunk.usage) {
          record.usageChunks++;
          record.usage = chunk.usage;
        }
      }
    }
  } catch (error) {
    record.error = error instanceof Error ? error.message : String(error);
  }
  return record;
}

/** Part 1: the same request straight to the node and through the gateway, interleaved. */
async function relayCost() {
  const demo = await startDemo({ nodes: 1 });
  try {
    const node = demo.nodes[0]!;
    const direct = () => streamCompletion(node.process.ready.openaiBaseURL, body(maxTokens));
    const viaGateway = () => streamCompletion(demo.baseURL, body(maxTokens), bearer(demo));
    await direct(); // warm-up both paths
    await viaGateway();
    const directRuns: StreamTiming[] = [];
    const gatewayRuns: StreamTiming[] = [];
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first, so that drift and any ordering effect hit both alike.
      if (round % 2 === 0) {
        directRuns.push(await direct());
        gatewayRuns.push(await viaGateway());
      } else {
        gatewayRuns.push(await viaGateway());
        directRuns.push(await direct());
      }
    }
    const tps = (runs: StreamTiming[]) => median(runs.map((r) => (r.tokens / r.totalMs) * 1000));
    const ttft = (runs: StreamTiming[], p: number) =>
      percentile(
        runs.map((r) => r.firstTokenMs),
        p,
      );
    const tokens = new Set([...directRuns, ...gatewayRuns].map((r) => r.tokens));
    return {
      rounds,
      maxTokens,
      completionTokens: [...tokens],
      directTokensPerSecond: Math.round(tps(directRuns)),
      gatewayTokensPerSecond: Math.round(tps(gatewayRuns)),
      tokensPerSecondRatio: +(tps(gatewayRuns) / tps(directRuns)).toFixed(3),
      ttftDirectP50Ms: round2(ttft(directRuns, 50)),
      ttftGatewayP50Ms: round2(ttft(gatewayRuns, 50)),
      ttftDirectP95Ms: round2(ttft(directRuns, 95)),
      ttftGatewayP95Ms: round2(ttft(gatewayRuns, 95)),
      ttftOverheadP50Ms: round2(ttft(gatewayRuns, 50) - ttft(directRuns, 50)),
      ttftOverheadP95Ms: round2(ttft(gatewayRuns, 95) - ttft(directRuns, 95)),
    };
  } finally {
    await demo.stop();
  }
}

const usageRows = async (demo: Demo) =>
  (await demo.admin<{ data: UsageRecord[] }>('GET', `/usage?orgId=${demo.orgId}&limit=1000`)).data;

/** Part 2: many concurrent streaming clients over 2 nodes, checked chunk by chunk and in the ledger. */
async function concurrentClients(demo: Demo) {
  // The reference: the same greedy request straight to a node, alone.
  const reference = await recordStream(
    demo.nodes[0]!.process.ready.openaiBaseURL,
    body(clientTokens),
  );
  if (reference.status !== 200 || reference.error || !reference.usage)
    throw new Error(`reference request failed: ${reference.status} ${reference.error}`);
  await recordStream(demo.baseURL, body(clientTokens), bearer(demo)); // warm-up
  const before = new Set((await usageRows(demo)).map((row) => row.jobId));

  const started = performance.now();
  const records = await within(
    Promise.all(
      Array.from({ length: clients }, () =>
        recordStream(demo.baseURL, body(clientTokens), bearer(demo)),
      ),
    ),
    `${clients} concurrent streams`,
    120_000,
  );
  const wallMs = performance.now() - started;

  const ok200 = records.filter((r) => r.status === 200).length;
  const finished = records.filter(
    (r) => r.status === 200 && !r.error && r.done === 1 && r.finishChunks === 1,
  ).length;
  const withOneUsage = records.filter(
    (r) => r.usageChunks === 1 && r.usage?.completion_tokens === reference.usage!.completion_tokens,
  ).length;
  const chunksMatch = records.filter(
    (r) => r.contentChunks === reference.contentChunks && r.text === reference.text,
  ).length;
  const streamIds = records.map((r) => [...r.ids]);
  const oneIdPerStream = streamIds.filter((ids) => ids.length === 1).length;
  const distinctStreamIds = new Set(streamIds.flat()).size;

  // Stream id → job id, from the gateway's 'request done' lines; then job id → ledger row.
  const after = await usageRows(demo);
  const newRows = after.filter((row) => !before.has(row.jobId));
  const rowsByJob = new Map<string, UsageRecord[]>();
  for (const row of newRows) rowsByJob.set(row.jobId, [...(rowsByJob.get(row.jobId) ?? []), row]);
  // A row names the request it served: the id its stream carried.
  const rowsByRequest = new Map<string, UsageRecord[]>();
  for (const row of newRows) {
    if (row.requestId) {
      rowsByRequest.set(row.requestId, [...(rowsByRequest.get(row.requestId) ?? []), row]);
    }
  }
  let accountedOnce = 0;
  let tokensMatch = 0;
  for (const record of records) {
    const rows = rowsByRequest.get([...record.ids][0] ?? '') ?? [];
    if (rows.length !== 1) continue;
    accountedOnce++;
    if (
      rows[0]!.completionTokens === record.usage?.completion_tokens &&
      rows[0]!.promptTokens === record.usage.prompt_tokens
    )
      tokensMatch++;
  }
  const perNode = demo.nodes.map((node) => newRows.filter((r) => r.nodeId === node.id).length);
  const totalTokens = records.reduce((sum, r) => sum + (r.usage?.completion_tokens ?? 0), 0);
  const failures = records.filter((r) => r.status !== 200 || r.error).map((r) => r.error);
  return {
    clients,
    maxTokens: clientTokens,
    wallMs: Math.round(wallMs),
    totalTokensPerSecond: Math.round((totalTokens / wallMs) * 1000),
    status200: ok200,
    finished,
    referenceContentChunks: reference.contentChunks,
    referenceCompletionTokens: reference.usage.completion_tokens,
    contentChunksMatchReference: chunksMatch,
    exactlyOneUsageChunk: withOneUsage,
    oneIdPerStream,
    distinctStreamIds,
    newUsageRows: newRows.length,
    distinctNewJobIds: rowsByJob.size,
    accountedExactlyOnce: accountedOnce,
    usageTokensMatch: tokensMatch,
    rowsPerNode: perNode,
    ...(failures.length > 0 ? { failures: failures.slice(0, 3) } : {}),
  };
}

const onlineLines = (node: DemoNode) =>
  node.process.logs.filter((line: LogLine) => line.msg === 'link online').length;

/** One gateway restart: how long from its ready line until every node is online again. */
async function restartOnce(demo: Demo) {
  const offline = demo.nodes.map((node) => {
    const seen = node.process.logs.filter((line) => line.msg === 'link offline').length;
    return node.process.waitForLog(
      (line) =>
        line.msg === 'link offline' &&
        node.process.logs.filter((l) => l.msg === 'link offline').indexOf(line) >= seen,
    );
  });
  const stopCode = await demo.gateway.stop();
  await within(Promise.all(offline), 'every node logs link offline');
  const onlineBefore = demo.nodes.map(onlineLines);
  const online = demo.nodes.map((node, i) =>
    node.process
      .waitForLog(
        (line) =>
          line.msg === 'link online' &&
          node.process.logs.filter((l) => l.msg === 'link online').indexOf(line) >=
            onlineBefore[i]!,
      )
      .then((line) => ({ at: performance.now(), time: Date.parse(String(line.time)) })),
  );
  const spawned = performance.now();
  await demo.restartGateway();
  const ready = performance.now();
  const readyWall = Date.now();
  const onlineAt = await within(Promise.all(online), 'every node logs a new link online');
  // Negative: the line reached us before the ready line did (a busy machine delays either).
  const perNodeMs = onlineAt.map(({ at }) => Math.round(at - ready));
  // The same from the processes' own clocks: node 'link online' − gateway 'gateway listening'.
  const listening = await demo.gateway.waitForLog((line) => line.msg === 'gateway listening');
  const listeningTime = Date.parse(String(listening.time));
  const fromListeningMs = onlineAt.map(({ time }) => time - listeningTime);
  const check = await recordStream(demo.baseURL, body(5), bearer(demo));
  return {
    stopCode,
    gatewayStartMs: Math.round(ready - spawned),
    reconnectMs: Math.max(0, ...perNodeMs),
    perNodeMs,
    fromListeningMs,
    readyAfterListeningMs: readyWall - listeningTime,
    onlineBefore,
    onlineAfter: demo.nodes.map(onlineLines),
    serves: check.status === 200 && !check.error && check.done === 1,
  };
}

/** Part 3: the gateway goes away and comes back, a few times (the nodes' backoff is random). */
async function reconnect(demo: Demo) {
  const runs = [];
  for (let i = 0; i < restarts; i++) runs.push(await restartOnce(demo));
  return {
    restarts,
    reconnectMs: Math.max(...runs.map((r) => r.reconnectMs)),
    reconnectRunsMs: runs.map((r) => r.reconnectMs),
    reconnectPerNodeRawMs: runs.map((r) => r.perNodeMs),
    fromListeningLogMs: Math.max(...runs.flatMap((r) => r.fromListeningMs)),
    fromListeningLogPerNodeMs: runs.map((r) => r.fromListeningMs),
    readyLineSeenAfterListeningMs: runs.map((r) => r.readyAfterListeningMs),
    gatewayStartMs: runs.map((r) => r.gatewayStartMs),
    gatewayStopCodes: runs.map((r) => r.stopCode),
    linkOnlineLines: runs.map((r) => `${r.onlineBefore.join('/')}→${r.onlineAfter.join('/')}`),
    servesAfterRestart: runs.every((r) => r.serves),
  };
}

const mark = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const benchStarted = performance.now();
console.log(
  `relay: ${rounds} rounds, ${maxTokens} tokens; ${clients} clients × ${clientTokens} tokens; ` +
    `greedy, seed ${seed}, BYOI_THREADS ${process.env.BYOI_THREADS ?? '1'}, tiny generated model`,
);

const relay = await relayCost();
console.log(JSON.stringify({ part: 'relay', ...relay }));
console.log(
  `  relay: tokens/s ratio ${relay.tokensPerSecondRatio} (≥ 0.97 ${mark(relay.tokensPerSecondRatio >= 0.97)}); ` +
    `TTFT overhead p50 ${relay.ttftOverheadP50Ms} ms (≤ 5 ${mark(relay.ttftOverheadP50Ms <= 5)}), ` +
    `p95 ${relay.ttftOverheadP95Ms} ms (≤ 15 ${mark(relay.ttftOverheadP95Ms <= 15)})`,
);

const nodeArgs = { args: ['--parallel', String(Math.ceil(clients / 2)), '--ctx-size', '512'] };
const demo = await startDemo({ nodes: [nodeArgs, nodeArgs] });
try {
  const load = await concurrentClients(demo);
  console.log(JSON.stringify({ part: 'concurrent', ...load }));
  const all = (n: number) => n === clients;
  console.log(
    `  concurrent: ${load.status200}/${clients} got 200, ${load.finished} finished (${mark(all(load.status200) && all(load.finished))}); ` +
      `chunks match the reference in ${load.contentChunksMatchReference}, one usage chunk in ${load.exactlyOneUsageChunk}, ` +
      `${load.distinctStreamIds} distinct stream ids (${mark(all(load.contentChunksMatchReference) && all(load.exactlyOneUsageChunk) && all(load.oneIdPerStream) && all(load.distinctStreamIds))}); ` +
      `ledger: ${load.newUsageRows} new rows, ${load.accountedExactlyOnce} accounted once, ${load.usageTokensMatch} with matching tokens ` +
      `(${mark(all(load.newUsageRows) && all(load.accountedExactlyOnce) && all(load.usageTokensMatch))}); rows per node ${load.rowsPerNode.join(' + ')}`,
  );

  const back = await reconnect(demo);
  console.log(JSON.stringify({ part: 'reconnect', ...back }));
  console.log(
    `  reconnect: every node online ${back.reconnectMs} ms after the gateway's ready line (≤ 2000 ${mark(back.reconnectMs <= 2000)}); ` +
      `worst of ${back.restarts} restarts; ${back.fromListeningLogMs} ms after its 'gateway listening' log line ` +
      `(≤ 2000 ${mark(back.fromListeningLogMs <= 2000)}); serves after each restart ${mark(back.servesAfterRestart)}`,
  );
} finally {
  await demo.stop();
}
console.log(`total ${Math.round((performance.now() - benchStarted) / 1000)} s`);
