/**
 * The provider form's text, checked and turned into the admin API's body. Pure, so that the
 * form only wires fields to it. Every error is a console string key (with its values).
 */
import type { ProviderView } from '../../../../../common/adminRecords';
import type { ModelPrice } from '../../../../../common/protocol';
import { parseNumber } from '../../../components/Fields';
import type { ConsoleKey } from '../../i18n/i18n';

export interface ProviderFields {
  name: string;
  baseUrl: string;
  keys: string;
  models: string;
  pricePrompt: string;
  priceCompletion: string;
  costPrompt: string;
  costCompletion: string;
  maxConcurrent: string;
}

export interface ProviderBody {
  name: string;
  baseUrl: string;
  apiKeys: string[];
  models: Record<string, string>;
  price: ModelPrice;
  cost: ModelPrice | null;
  maxConcurrent?: number;
}

export type DraftResult =
  | { ok: true; body: ProviderBody }
  | { ok: false; key: ConsoleKey; values?: Record<string, unknown> };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const EMPTY_FIELDS: ProviderFields = {
  name: '',
  baseUrl: '',
  keys: '',
  models: '',
  pricePrompt: '',
  priceCompletion: '',
  costPrompt: '',
  costCompletion: '',
  maxConcurrent: '',
};

/** The form's fields for an existing provider; its keys stay empty (never shown). */
export function fieldsOf(provider: ProviderView): ProviderFields {
  return {
    name: provider.name,
    baseUrl: provider.baseUrl,
    keys: '',
    models: Object.entries(provider.models)
      .map(([id, upstream]) => (id === upstream ? id : `${id} = ${upstream}`))
      .join('\n'),
    pricePrompt: String(provider.price.prompt),
    priceCompletion: String(provider.price.completion),
    costPrompt: provider.cost ? String(provider.cost.prompt) : '',
    costCompletion: provider.cost ? String(provider.cost.completion) : '',
    maxConcurrent: String(provider.maxConcurrent),
  };
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

function price(prompt: string, completion: string): ModelPrice | null {
  const a = parseNumber(prompt);
  const b = parseNumber(completion);
  return a === null || b === null || a < 0 || b < 0 ? null : { prompt: a, completion: b };
}

/** Checks the fields; `editing` allows empty keys (the stored ones are kept). */
export function providerBody(fields: ProviderFields, editing: boolean): DraftResult {
  const name = fields.name.trim();
  if (!NAME.test(name)) return { ok: false, key: 'providers.badName' };
  const baseUrl = fields.baseUrl.trim();
  let url: URL | null = null;
  try {
    url = new URL(baseUrl);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    return { ok: false, key: 'providers.badUrl' };
  const apiKeys = lines(fields.keys);
  if (!editing && apiKeys.length === 0) return { ok: false, key: 'providers.noKeys' };
  const models: Record<string, string> = {};
  const modelLines = fields.models.split('\n');
  for (const [index, raw] of modelLines.entries()) {
    if (raw.trim() === '') continue;
    const parts = raw.split('=').map((part) => part.trim());
    const [id, upstream = id] = parts;
    if (parts.length > 2 || !id || !upstream)
      return { ok: false, key: 'providers.badModel', values: { line: index + 1 } };
    models[id] = upstream;
  }
  if (Object.keys(models).length === 0) return { ok: false, key: 'providers.noModels' };
  const charged = price(fields.pricePrompt, fields.priceCompletion);
  if (!charged) return { ok: false, key: 'providers.badPrice' };
  let cost: ModelPrice | null = null;
  if (fields.costPrompt.trim() !== '' || fields.costCompletion.trim() !== '') {
    cost = price(fields.costPrompt, fields.costCompletion);
    if (!cost) return { ok: false, key: 'providers.badCost' };
  }
  const body: ProviderBody = { name, baseUrl, apiKeys, models, price: charged, cost };
  if (fields.maxConcurrent.trim() !== '') {
    const most = parseNumber(fields.maxConcurrent);
    if (most === null || most < 1 || !Number.isInteger(most))
      return { ok: false, key: 'providers.badMaxConcurrent' };
    body.maxConcurrent = most;
  }
  return { ok: true, body };
}
