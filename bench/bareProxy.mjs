// The peer for bench/gatewayOverhead.ts: the least an OpenAI-compatible proxy written on
// Node's http module does (parse the JSON body, set the model, forward it over a keep-alive
// agent, pass the answer back), with no auth, routing, accounting or logging. It bounds
// what any Node gateway can reach on this machine. Usage: node bareProxy.mjs UPSTREAM_PORT;
// prints its port on stdout.
import { Agent, createServer, request as httpRequest } from 'node:http';

const upstreamPort = Number(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString());
    const forwarded = JSON.stringify({ ...body, model: body.model });
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: upstreamPort,
        path: request.url,
        method: request.method,
        agent,
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench-upstream' },
      },
      (answer) => {
        const parts = [];
        answer.on('data', (part) => parts.push(part));
        answer.on('end', () => {
          response.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' });
          response.end(Buffer.concat(parts));
        });
      },
    );
    upstream.on('error', () => {
      response.writeHead(502);
      response.end();
    });
    upstream.end(forwarded);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
