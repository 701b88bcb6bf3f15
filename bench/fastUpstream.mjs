// A minimal OpenAI-compatible upstream for bench/gatewayOverhead.ts: answers every chat
// completion at once with a fixed reply (and `GET /v1/models`). Prints its port on stdout.
import { createServer } from 'node:http';

const completion = (model) =>
  JSON.stringify({
    id: 'chatcmpl-fast',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'ok', refusal: null },
        finish_reason: 'stop',
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
  });

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    if (request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json' });
      return response.end('{"object":"list","data":[{"id":"fast","object":"model"}]}');
    }
    let model = 'fast';
    try {
      model = JSON.parse(Buffer.concat(chunks).toString()).model ?? model;
    } catch {
      // keep the default
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(completion(model));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
