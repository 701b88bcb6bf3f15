/**
 * Child process for tests/integration/ledgerCrash.test.ts: opens the ledger in `dataDir` and
 * records jobs `job-0` … `job-<count - 1>` as fast as it can, several at once so writes group
 * commit, plus a receipt for every third job. It prints a line to stdout as soon as each write
 * resolves, so the parent knows what was acknowledged when it kills this process:
 *
 *     ready              the ledger is open
 *     ack <jobId>        recordJob resolved true (durable)
 *     dup <jobId>        recordJob resolved false (already recorded)
 *     receipt <jobId>    addReceipt resolved true (durable)
 *     done               everything written and the ledger closed
 *
 * Usage: node --import tsx ledgerWriter.ts <dataDir> <count>
 */
import { priceJob, type Receipt } from '../../common/protocol.js';
import { Ledger, type ServedJob } from '../../main/engine/ledger/ledger.js';

const [dataDir, countArg] = process.argv.slice(2);
if (!dataDir || !countArg) {
  process.stderr.write('usage: ledgerWriter.ts <dataDir> <count>\n');
  process.exit(2);
}
const count = Number(countArg);
const IN_FLIGHT = 8;

/** The same job for the same index in every run, so reruns meet their own earlier writes. */
function writerJob(index: number): ServedJob {
  return {
    jobId: `job-${index}`,
    model: index % 2 === 0 ? 'tiny' : 'modèle-ß',
    promptTokens: 10 + index,
    completionTokens: 20 + (index % 7),
    price: { prompt: 0.5, completion: 1.5 },
    feeBasisPoints: 500,
    servedAt: new Date(Date.UTC(2025, 5, 1) + index * 1000).toISOString(),
  };
}

function receiptFor(job: ServedJob): Receipt {
  const { jobId, model, promptTokens, completionTokens, price } = job;
  return {
    jobId,
    nodeId: 'node-crash',
    model,
    promptTokens,
    completionTokens,
    price,
    ...priceJob(price, promptTokens, completionTokens, 500),
    issuedAt: job.servedAt,
  };
}

const say = (line: string) => process.stdout.write(`${line}\n`);

const ledger = await Ledger.open({ dataDir });
say('ready');
let next = 0;
async function worker(): Promise<void> {
  while (next < count) {
    const job = writerJob(next++);
    say(`${(await ledger.recordJob(job)) ? 'ack' : 'dup'} ${job.jobId}`);
    if (Number(job.jobId.slice(4)) % 3 === 0) {
      const split = { rewards: 50, exchange: 25, mission: 25 };
      if (await ledger.addReceipt(receiptFor(job), 'sig', split)) say(`receipt ${job.jobId}`);
    }
  }
}
await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
await ledger.close();
say('done');
