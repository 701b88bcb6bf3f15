import { getLlama, LlamaChat, resolveChatWrapper } from 'node-llama-cpp';
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'warn' });
const model = await llama.loadModel({ modelPath: process.argv[2] });
const ctx = await model.createContext({ contextSize: 4096, sequences: 4, threads: 1 });
const wrapper = resolveChatWrapper(model);
const seqs = [ctx.getSequence(), ctx.getSequence(), ctx.getSequence(), ctx.getSequence()];
async function run(seq, n, i) {
  const hist = [{ type: 'user', text: 'hello world ' + i }, { type: 'model', response: [] }];
  const chat = new LlamaChat({ contextSequence: seq, autoDisposeSequence: false, chatWrapper: wrapper });
  const before = seq.tokenMeter.getState();
  await chat.generateResponse(hist, { maxTokens: n, seed: 1, temperature: 0 });
  chat.dispose();
  return seq.tokenMeter.diff(before).usedOutputTokens;
}
// raw evaluate: batch of 4 tokens vs 1
for (let rep = 0; rep < 2; rep++) {
  let t0 = performance.now();
  let n = await run(seqs[0], 100, 0);
  const single = n / (performance.now() - t0) * 1000;
  t0 = performance.now();
  const r = await Promise.all(seqs.map((s, i) => run(s, 100, i)));
  const par = r.reduce((a, b) => a + b) / (performance.now() - t0) * 1000;
  console.log({ single: single.toFixed(0), par: par.toFixed(0), ratio: (par / single).toFixed(2) });
}
