/**
 * `POST /v1/embeddings` on the real `byoi-node` process serving the generated tiny model,
 * through the real `openai` client and LangChain's `OpenAIEmbeddings`: float and base64
 * agree, token-id input, exact usage, and the 400s for bad `dimensions` and empty input.
 */
import { OpenAIEmbeddings } from '@langchain/openai';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { base64ToFloat32 } from '../../common/openaiEmbeddings.js';
import type { OpenAiErrorBody } from '../../common/openaiErrors.js';
import { useServedTinyModel } from '../support/servedTinyModel.js';

const served = useServedTinyModel();

const texts = ['hello world', 'the water and the people', 'one word'];

/** Tokens the node evaluates for a text, counted independently: the begin token plus the text's. */
function tokenCount(text: string): number {
  return 1 + served.tokenizer.tokenize(text).length;
}

async function post(
  body: unknown,
): Promise<{ status: number; json: { error: OpenAiErrorBody['error'] } }> {
  const response = await fetch(`${served.node.ready.openaiBaseURL}/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    json: (await response.json()) as { error: OpenAiErrorBody['error'] },
  };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, 6);
}

describe('byoi-node /v1/embeddings', () => {
  it('returns the same unit vectors as float and as base64, with exact usage', async () => {
    const floats = await served.client.embeddings.create({
      model: 'tiny',
      input: texts,
      encoding_format: 'float',
    });
    const base64 = await served.client.embeddings.create({
      model: 'tiny',
      input: texts,
      encoding_format: 'base64',
    });
    // Without encoding_format the client asks for base64 and decodes it itself.
    const decodedByClient = await served.client.embeddings.create({ model: 'tiny', input: texts });

    expect(floats.object).toBe('list');
    expect(floats.model).toBe('tiny');
    expect(floats.data.map((d) => [d.object, d.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
      ['embedding', 2],
    ]);
    const prompt = texts.reduce((sum, text) => sum + tokenCount(text), 0);
    expect(floats.usage).toEqual({ prompt_tokens: prompt, total_tokens: prompt });
    expect(base64.usage).toEqual(floats.usage);

    for (const [index, entry] of floats.data.entries()) {
      const vector = entry.embedding;
      expect(vector).toHaveLength(64);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
      const raw = base64.data[index]!.embedding as unknown as string;
      expect(typeof raw).toBe('string');
      // Floats in JSON round-trip float32 exactly, so base64 must match bit for bit.
      expect(Array.from(base64ToFloat32(raw))).toEqual(Array.from(Float32Array.from(vector)));
      expect(decodedByClient.data[index]!.embedding).toEqual(Array.from(base64ToFloat32(raw)));
    }
    expect(floats.data[0]!.embedding).not.toEqual(floats.data[1]!.embedding);
  });

  it('embeds token ids as they are, alone or as a list', async () => {
    const [hello, water] = [texts[0]!, texts[1]!].map((text) => served.tokenizer.tokenize(text));
    const byText = await served.client.embeddings.create({
      model: 'tiny',
      input: [texts[0]!, texts[1]!],
      encoding_format: 'float',
    });
    const single = await served.client.embeddings.create({
      model: 'tiny',
      input: hello!,
      encoding_format: 'float',
    });
    expect(single.data).toHaveLength(1);
    expect(single.usage.prompt_tokens).toBe(hello!.length + 1);
    expectClose(single.data[0]!.embedding, byText.data[0]!.embedding);

    const list = await served.client.embeddings.create({
      model: 'tiny',
      input: [hello!, water!],
      encoding_format: 'float',
    });
    expect(list.usage).toEqual(byText.usage);
    expectClose(list.data[1]!.embedding, byText.data[1]!.embedding);
  });

  it('refuses dimensions other than the model size, naming dimensions', async () => {
    const error = await served.client.embeddings
      .create({ model: 'tiny', input: 'hi', dimensions: 32 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('dimensions');
    const same = await served.client.embeddings.create({
      model: 'tiny',
      input: 'hi',
      dimensions: 64,
    });
    expect(same.data[0]!.embedding).toHaveLength(64);
  });

  it('refuses empty, oversized and unknown-token input, naming input', async () => {
    for (const input of ['', [], ['a', ''], [[]], [1, 5000]]) {
      const { status, json } = await post({ model: 'tiny', input });
      expect(status, JSON.stringify(input)).toBe(400);
      expect(json.error.param).toBe('input');
    }
    const tooMany = await post({ model: 'tiny', input: Array.from({ length: 2049 }, () => 'a') });
    expect(tooMany.json.error.param).toBe('input');
    const tooLong = await post({ model: 'tiny', input: 'the water '.repeat(1200) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error).toMatchObject({ param: 'input', code: 'context_length_exceeded' });
  });

  it('works unchanged with LangChain OpenAIEmbeddings', async () => {
    const embeddings = new OpenAIEmbeddings({
      model: 'tiny',
      apiKey: 'local',
      maxRetries: 0,
      configuration: { baseURL: served.node.ready.openaiBaseURL },
    });
    const documents = await embeddings.embedDocuments(texts);
    const query = await embeddings.embedQuery(texts[0]!);
    const expected = await served.client.embeddings.create({
      model: 'tiny',
      input: texts,
      encoding_format: 'float',
    });
    expect(documents).toHaveLength(3);
    documents.forEach((vector, index) => expectClose(vector, expected.data[index]!.embedding));
    expectClose(query, expected.data[0]!.embedding);
  });
});
