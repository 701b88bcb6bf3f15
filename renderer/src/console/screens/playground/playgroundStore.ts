/**
 * The playground's conversation and its last run, kept while the user moves between screens:
 * a streamed chat completion through the client API, as the organization's clients see it.
 */
import { create } from 'zustand';
import { toUiError, type UiError } from '../../../stores/uiError';
import { startChat, usageOf, type ChatTurn } from '../../api/playgroundApi';
import { sseData } from './sseEvents';

/** What the last run measured and cost. */
export interface RunFacts {
  /** `x-byoi-route`: the provider's name, `node` or `cache`. */
  route: string | null;
  nodeId: string | null;
  /** ms from sending to the first token, measured in this page. */
  timeToFirstTokenMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  /** What the organization was charged, USD; null until the ledger has the request. */
  chargedUsd: number | null;
}

interface PlaygroundState {
  orgId: string | null;
  model: string;
  /** A route to pin with `x-byoi-route`, or '' for the organization's rule. */
  route: string;
  /** The most tokens a reply may have. */
  maxTokens: number;
  turns: ChatTurn[];
  running: boolean;
  error: UiError | null;
  last: RunFacts | null;
  controller: AbortController | null;
  setModel(model: string): void;
  setRoute(route: string): void;
  setMaxTokens(maxTokens: number): void;
  send(orgId: string, prompt: string): Promise<void>;
  stop(): void;
  clear(): void;
}

interface StreamChunk {
  id?: string;
  choices?: { delta?: { content?: string | null } }[];
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  error?: { message?: string };
}

/** The ledger is written as the stream ends: a few reads catch a slow write. */
const USAGE_READS = 5;
const USAGE_READ_GAP_MS = 300;

async function chargedUsd(orgId: string, requestId: string): Promise<number | null> {
  for (let read = 0; read < USAGE_READS; read += 1) {
    const record = await usageOf(orgId, requestId);
    if (record) return record.chargedNanos / 1e9;
    await new Promise((resolve) => setTimeout(resolve, USAGE_READ_GAP_MS));
  }
  return null;
}

/** A reply long enough to judge a model, short enough to keep a conversation in context. */
export const DEFAULT_MAX_TOKENS = 256;
export const MAX_REPLY_TOKENS = 4096;

const idle = { running: false, controller: null };

export const usePlayground = create<PlaygroundState>()((set, get) => ({
  orgId: null,
  model: '',
  route: '',
  maxTokens: DEFAULT_MAX_TOKENS,
  turns: [],
  running: false,
  error: null,
  last: null,
  controller: null,
  setModel: (model) => set({ model }),
  setRoute: (route) => set({ route }),
  setMaxTokens: (maxTokens) => set({ maxTokens }),
  async send(orgId, prompt) {
    const { model, route, maxTokens } = get();
    // Another organization's conversation is not this one's.
    const history = get().orgId === orgId ? get().turns : [];
    const turns: ChatTurn[] = [...history, { role: 'user', content: prompt }];
    const controller = new AbortController();
    set({
      orgId,
      turns: [...turns, { role: 'assistant', content: '' }],
      running: true,
      error: null,
      last: null,
      controller,
    });
    const started = performance.now();
    const facts: RunFacts = {
      route: null,
      nodeId: null,
      timeToFirstTokenMs: null,
      promptTokens: null,
      completionTokens: null,
      chargedUsd: null,
    };
    let reply = '';
    let requestId: string | null = null;
    try {
      const response = await startChat(orgId, {
        model,
        messages: turns,
        maxTokens,
        route: route || null,
        signal: controller.signal,
      });
      facts.route = response.headers.get('x-byoi-route');
      facts.nodeId = response.headers.get('x-byoi-node');
      for await (const data of sseData(response.body!)) {
        if (data === '[DONE]') break;
        const chunk = JSON.parse(data) as StreamChunk;
        if (chunk.error) throw new Error(chunk.error.message ?? 'The stream failed');
        requestId = chunk.id ?? requestId;
        const delta = chunk.choices?.[0]?.delta?.content;
        if (delta) {
          facts.timeToFirstTokenMs ??= performance.now() - started;
          reply += delta;
          set({ turns: [...turns, { role: 'assistant', content: reply }] });
        }
        if (chunk.usage) {
          facts.promptTokens = chunk.usage.prompt_tokens;
          facts.completionTokens = chunk.usage.completion_tokens;
        }
      }
      set({ ...idle, last: { ...facts } });
      if (requestId) set({ last: { ...facts, chargedUsd: await chargedUsd(orgId, requestId) } });
    } catch (caught) {
      const stopped = controller.signal.aborted;
      set({
        ...idle,
        // A refused or failed turn leaves the conversation as it was before it.
        turns: stopped ? [...turns, { role: 'assistant', content: reply }] : history,
        error: stopped ? null : toUiError(caught),
        last: stopped ? { ...facts } : null,
      });
    }
  },
  stop: () => get().controller?.abort(),
  clear: () => set({ turns: [], last: null, error: null }),
}));
