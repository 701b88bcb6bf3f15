/**
 * What a dishonest node can still cost, against the real gateway process (its CLI, on
 * loopback) and stand-in nodes that speak the real link protocol, measured in one run:
 *   1. The bill: the same request served by an honest node and by one that reports 2³¹−1
 *      prompt and completion tokens, both at the gateway's top node price. Figure: the
 *      dishonest bill ÷ the honest one (before the usage bounds: about $64,000 a request).
 *   2. Stalls: a cheaper node that accepts and then sends nothing (or one chunk, then
 *      nothing). Figure: the client-visible time lost per request against an honest node
 *      alone, request by request, until the node is quarantined.
 *   3. Floods: a normal client's latency (p50, p95) while another node floods control
 *      frames, junk job frames, or frames over the hard cap, each from its own process.
 *      Figure: p50 during each flood ÷ p50 of a quiet baseline.
 * Usage: npm run bench:trust -- [--deadline-ms N] [--quarantine-after N] [--requests N]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { LINK_PATH, type AnnouncedModel } from '../common/protocol.js';
import { DEFAULT_MAX_PRICE } from '../gateway/defaults.js';
import type { UsageRecord } from '../gateway/store/types.js';
import { LinkClient, model, NodeIdentity } from '../tests/gateway-link/support/standInNode.js';
import { startBenchGateway } from './httpBench.js';
import { median, percentile } from './streamTiming.js';

const { values } = parseArgs({
  options: {
    'deadline-ms': { type: 'string', default: '1000' },
    'quarantine-after': { type: 'string', default: '3' },
    requests: { type: 'string', default: '200' },
  },
});
const deadlineMs = Number(values['deadline-ms']);
const quarantineAfter = Number(values['quarantine-after']);
const requests = Number(values.requests);
const round = (n: number, digits = 2) => +n.toFixed(digits);
const PROMPT = [{ role: 'user' as const, content: 'Tell me a short story about the sea.' }];
const WORDS = ['Once ', 'upon ', 'a ', 'tide.'];
const HONEST_USAGE = { promptTokens: 20, completionTokens: WORDS.length };
const TOP = 2 ** 31 - 1;

const gateway = await startBenchGateway('trust', [
  '--log-level',
  'error',
  '--first-token-timeout-ms',
  String(deadlineMs),
  '--stall-timeout-ms',
  String(deadlineMs),
  '--quarantine-after',
  String(quarantineAfter),
]);
const { url, admin } = gateway;
const linkUrl = `${url.replace(/^http/, 'ws')}${LINK_PATH}`;

const clients = await admin<{ id: string }>('POST', '/orgs', { name: 'clients' });
const providers = await admin<{ id: string }>('POST', '/orgs', { name: 'providers' });
const { key } = await admin<{ key: string }>('POST', `/orgs/${clients.id}/keys`, { name: 'b' });
const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 });
const newCode = async () =>
  (await admin<{ code: string }>('POST', `/orgs/${providers.id}/enrollment-codes`, {})).code;

/** A stand-in node, enrolled and linked, that has announced `models`. */
async function node(models: AnnouncedModel[]): Promise<LinkClient> {
  const identity = NodeIdentity.create();
  const enrolled = await identity.enroll(url, await newCode());
  if (enrolled.status !== 200) throw new Error(`enroll: ${enrolled.status}`);
  const link = await LinkClient.open(linkUrl);
  await link.hello(identity);
  await link.next('welcome');
  await link.announce(models);
  return link;
}

/** Serves every offer with WORDS and `usage` until the link closes. */
function serveForever(link: LinkClient, usage: { promptTokens: number; completionTokens: number }) {
  void (async () => {
    for (;;) {
      const offer = await link.acceptNext();
      link.chunks(offer.jobId, WORDS);
      link.done(offer.jobId, usage);
    }
  })();
}

const ask = (modelId: string, extra: { max_tokens?: number } = {}) =>
  client.chat.completions.create({ model: modelId, messages: PROMPT, ...extra });

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function billOf(modelId: string): Promise<number> {
  const rows = await admin<{ data: UsageRecord[] }>('GET', `/usage?orgId=${clients.id}&limit=50`);
  return rows.data.find((row) => row.model === modelId && row.outcome === 'ok')!.chargedNanos;
}

const usd = (nanos: number) => `$${(nanos / 1e9).toFixed(6)}`;

async function bills(): Promise<void> {
  const price = DEFAULT_MAX_PRICE;
  serveForever(
    await node([model('bill-honest', { price }), model('bill-honest-4', { price })]),
    HONEST_USAGE,
  );
  serveForever(await node([model('bill-cheat', { price }), model('bill-cheat-4', { price })]), {
    promptTokens: TOP,
    completionTokens: TOP,
  });
  for (const [suffix, extra] of [
    ['', {}],
    ['-4', { max_tokens: 4 }],
  ] as const) {
    await ask(`bill-honest${suffix}`, extra);
    await ask(`bill-cheat${suffix}`, extra);
    const honest = await billOf(`bill-honest${suffix}`);
    const cheat = await billOf(`bill-cheat${suffix}`);
    console.log(
      `bill${suffix ? ' (max_tokens 4)' : ''}: honest ${usd(honest)}, reporting 2^31-1 tokens ${usd(cheat)}: ` +
        `ratio ${round(cheat / honest)} (before the bounds: $64,000 a request)`,
    );
  }
}

/** A node cheaper than the honest one that accepts each offer and then stalls. */
async function staller(modelId: string, chunksFirst: number): Promise<LinkClient> {
  const link = await node([model(modelId, { price: { prompt: 0.1, completion: 0.1 }, slots: 64 })]);
  void (async () => {
    for (;;) {
      const offer = await link.acceptNext();
      link.chunks(offer.jobId, WORDS.slice(0, chunksFirst));
    }
  })();
  return link;
}

async function stalls(): Promise<void> {
  serveForever(await node([model('stall'), model('stall-mid'), model('baseline')]), HONEST_USAGE);
  const baseline = median(await Promise.all([0, 1, 2].map(() => timed(() => ask('baseline')))));
  for (const [modelId, chunksFirst, what] of [
    ['stall', 0, 'accepts, then sends nothing'],
    ['stall-mid', 1, 'sends one chunk, then nothing'],
  ] as const) {
    const link = await staller(modelId, chunksFirst);
    const lost: number[] = [];
    for (let i = 0; i < quarantineAfter + 2; i++) {
      const run =
        chunksFirst === 0
          ? () => ask(modelId)
          : async () => {
              const stream = await client.chat.completions.create({
                model: modelId,
                messages: PROMPT,
                stream: true,
              });
              for await (const chunk of stream) void chunk;
            };
      lost.push(round((await timed(run)) - baseline, 0));
    }
    console.log(
      `stall (${what}; deadline ${deadlineMs} ms, quarantine after ${quarantineAfter}): ` +
        `ms lost per request ${lost.join(', ')}`,
    );
    link.close();
  }
}

/** p50 and p95 of `requests` sequential requests to the quiet model. */
async function latency(): Promise<{ p50: number; p95: number }> {
  const samples: number[] = [];
  for (let i = 0; i < requests; i++) samples.push(await timed(() => ask('quiet')));
  return { p50: median(samples), p95: percentile(samples, 95) };
}

/** Starts bench/linkFlood.ts; resolves once it is linked and flooding. */
async function flooder(kind: 'control' | 'junk', rate: number) {
  const script = fileURLToPath(new URL('./linkFlood.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, url, linkUrl, await newCode(), kind, String(rate)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const [first] = (await once(lines, 'line')) as [string];
  if (first !== 'ready') throw new Error(`flooder: ${first}`);
  const closed = once(lines, 'line').then(([line]) => String(line));
  return { child, closed };
}

async function floods(): Promise<void> {
  serveForever(await node([model('quiet')]), HONEST_USAGE);
  for (let i = 0; i < 100; i++) await ask('quiet'); // warm up
  const quiet = await latency();
  console.log(`latency quiet: p50 ${round(quiet.p50)} ms, p95 ${round(quiet.p95)} ms`);
  for (const [kind, rate, what] of [
    ['control', 5_000, 'availability frames at 5,000/s'],
    ['junk', 8_000, 'frames for unknown jobs at 8,000/s (under the hard cap)'],
    ['junk', 100_000, 'frames for unknown jobs at 100,000/s (over the hard cap)'],
  ] as const) {
    const flood = await flooder(kind, rate);
    const started = performance.now();
    let closed = 'still open';
    void flood.closed.then((line) => {
      closed = `${line} after ${round(performance.now() - started, 0)} ms`;
    });
    const during = await latency();
    flood.child.kill();
    console.log(
      `latency during ${what}: p50 ${round(during.p50)} ms, p95 ${round(during.p95)} ms: ` +
        `p50 ratio ${round(during.p50 / quiet.p50)}; the flooding link: ${closed}`,
    );
  }
  const after = await latency();
  console.log(`latency quiet again: p50 ${round(after.p50)} ms, p95 ${round(after.p95)} ms`);
}

try {
  await bills();
  await stalls();
  await floods();
} finally {
  await gateway.stop();
}
process.exit(0);
