/**
 * The flooding node of bench/nodeTrust.ts, in its own process so that its sending does not
 * share the bench's event loop: enrolls with CODE, links, announces, prints `ready`, then
 * sends KIND frames at RATE per second (in 10 ms ticks) until it is killed or its link
 * closes, when it prints `closed CODE`.
 * Usage: tsx bench/linkFlood.ts GATEWAY_URL LINK_URL CODE control|junk RATE
 */
import { LinkClient, model, NodeIdentity } from '../tests/gateway-link/support/standInNode.js';

const [gatewayUrl, linkUrl, code, kind, rateText] = process.argv.slice(2);
const rate = Number(rateText);

const identity = NodeIdentity.create();
const enrolled = await identity.enroll(gatewayUrl!, code!, 'flooder');
if (enrolled.status !== 200) throw new Error(`enroll: ${enrolled.status}`);
const link = await LinkClient.open(linkUrl!);
await link.hello(identity);
await link.next('welcome');
await link.announce([model('flooded')]);
void link.closed.then(({ code: closeCode }) => {
  process.stdout.write(`closed ${closeCode}\n`);
  process.exit(0);
});
process.stdout.write('ready\n');

const frame =
  kind === 'control'
    ? (i: number) => ({ type: 'availability', serving: i % 2 === 0, reason: `flood ${i}` })
    : (i: number) => ({ type: 'job.chunk', jobId: 'job_nobody', index: i, text: 'x' });
let sent = 0;
const perTick = Math.max(1, Math.round(rate / 100));
setInterval(() => {
  for (let i = 0; i < perTick; i++) link.send(frame(sent++));
}, 10);
