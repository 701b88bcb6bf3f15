/**
 * The playground's calls: a short-lived client-API token for the organization (minted by the
 * admin API for one of its API keys), the models it reaches, and a streamed chat completion.
 */
import type { UsageRecord } from '../../../../common/adminRecords';
import { admin, adminList, query, rawFetch } from './consoleApi';

export interface PlaygroundToken {
  token: string;
  expiresAt: string;
  apiKeyId: string;
}

/** Renew this long before the token runs out. */
const RENEW_MARGIN_MS = 30_000;

const tokens = new Map<string, PlaygroundToken>();

/** A token for `orgId`, reused until shortly before it expires. */
export async function playgroundToken(orgId: string): Promise<PlaygroundToken> {
  const held = tokens.get(orgId);
  if (held && Date.parse(held.expiresAt) - Date.now() > RENEW_MARGIN_MS) return held;
  const fresh = await admin<PlaygroundToken>('/playground/token', 'POST', { orgId });
  tokens.set(orgId, fresh);
  return fresh;
}

const bearer = (token: PlaygroundToken) => ({ authorization: `Bearer ${token.token}` });

/** The model ids the organization can reach now. */
export async function playgroundModels(orgId: string): Promise<string[]> {
  const token = await playgroundToken(orgId);
  const response = await rawFetch('/v1/models', { headers: bearer(token) });
  const body = (await response.json()) as { data: { id: string }[] };
  return body.data.map((model) => model.id).sort();
}

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

/** Starts a streamed chat completion; the response, once its headers arrived. */
export async function startChat(
  orgId: string,
  request: {
    model: string;
    messages: ChatTurn[];
    maxTokens: number;
    route: string | null;
    signal: AbortSignal;
  },
): Promise<Response> {
  const token = await playgroundToken(orgId);
  return rawFetch('/v1/chat/completions', {
    method: 'POST',
    headers: { ...bearer(token), ...(request.route ? { 'x-byoi-route': request.route } : {}) },
    body: {
      model: request.model,
      messages: request.messages,
      max_tokens: request.maxTokens,
      stream: true,
      stream_options: { include_usage: true },
    },
    signal: request.signal,
  });
}

/** The ledger's record of the request `requestId` (its response id), once it is written. */
export async function usageOf(orgId: string, requestId: string): Promise<UsageRecord | null> {
  const rows = await adminList<UsageRecord>(`/usage${query({ orgId, limit: 20 })}`);
  return rows.find((row) => row.requestId === requestId) ?? null;
}
