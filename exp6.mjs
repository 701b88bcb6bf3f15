import { getLlama } from 'node-llama-cpp';
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
const model = await llama.loadModel({ modelPath: process.argv[2] });
const ctx = await model.createContext({ contextSize: 4096, sequences: 4, threads: 1 });
const seqs = [ctx.getSequence(), ctx.getSequence(), ctx.getSequence(), ctx.getSequence()];
const toks = model.tokenize('hello world the people and the day water blue green red');
for (const n of [1, 4, 16]) {
  await seqs[0].clearHistory();
  const t0 = performance.now();
  for (let i = 0; i < 8; i++) await seqs[0].evaluateWithoutGeneratingNewTokens(Array(n).fill(toks[i % toks.length]));
  console.log('batch', n, ((performance.now() - t0) / 8).toFixed(2), 'ms per decode');
}
for (const s of seqs) await s.clearHistory();
let t0 = performance.now();
for (let i = 0; i < 16; i++) await seqs[0].evaluateWithoutGeneratingNewTokens([toks[i % toks.length]]);
console.log('1 seq x16 single tokens', ((performance.now() - t0) / 16).toFixed(2), 'ms/step');
for (const s of seqs) await s.clearHistory();
t0 = performance.now();
for (let i = 0; i < 16; i++) await Promise.all(seqs.map((s) => s.evaluateWithoutGeneratingNewTokens([toks[i % toks.length]])));
console.log('4 seq x16 single tokens', ((performance.now() - t0) / 16).toFixed(2), 'ms/step');
