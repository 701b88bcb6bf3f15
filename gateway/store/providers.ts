/**
 * Upstream providers in the `providers` table: their checks, their rows, and their queries.
 * A provider that a routing rule names cannot be removed until the rule stops naming it.
 */
import type { Sql, SqlDb } from './sql.js';
import { checkInteger, checkModelPrice, FieldError, hasControl } from './storeRows.js';
import {
  ConflictError,
  NODE_ROUTE_NAMES,
  STORE_LIMITS as LIMITS,
  type NewProvider,
  type ProviderRecord,
} from './types.js';

/** What a provider's name looks like. */
export const PROVIDER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Names that mean node routes (or every route) in rules, so no provider may take them. */
const RESERVED_NAMES = new Set<string>(['node', ...NODE_ROUTE_NAMES, '*']);

interface ProviderRow {
  name: string;
  base_url: string;
  api_keys: string[];
  models: Record<string, string>;
  price_prompt: number;
  price_completion: number;
  cost_prompt: number | null;
  cost_completion: number | null;
  max_concurrent: number;
  enabled: boolean;
  created_at: Date;
}

const toProvider = (row: ProviderRow): ProviderRecord => ({
  name: row.name,
  baseUrl: row.base_url,
  apiKeys: row.api_keys,
  models: row.models,
  price: { prompt: row.price_prompt, completion: row.price_completion },
  cost:
    row.cost_prompt === null || row.cost_completion === null
      ? null
      : { prompt: row.cost_prompt, completion: row.cost_completion },
  maxConcurrent: row.max_concurrent,
  enabled: row.enabled,
  createdAt: row.created_at.toISOString(),
});

/** Throws a {@link FieldError} unless `name` may name a provider. */
export function checkProviderName(name: unknown): string {
  if (typeof name !== 'string' || !PROVIDER_NAME_PATTERN.test(name)) {
    throw new FieldError(
      'name',
      `Provider name must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter ` +
        `or digit; got '${String(name)}'`,
    );
  }
  if (RESERVED_NAMES.has(name.toLowerCase())) {
    throw new FieldError('name', `Provider name '${name}' is reserved for node routes`);
  }
  return name;
}

function checkBaseUrl(value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' && value.length <= 2048 ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw new FieldError(
      'baseUrl',
      `baseUrl must be an http(s) URL such as https://api.example.com/v1, got '${String(value)}'`,
    );
  }
  return (value as string).replace(/\/+$/, '');
}

function checkApiKeys(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > LIMITS.maxProviderKeys) {
    throw new FieldError('apiKeys', `A provider needs 1 to ${LIMITS.maxProviderKeys} API keys`);
  }
  value.forEach((key: unknown, index) => {
    if (typeof key !== 'string' || key === '' || key.length > 1024 || /\s/.test(key)) {
      // Never echo the key: it is a secret.
      throw new FieldError(
        `apiKeys[${index}]`,
        `API key ${index + 1} must be 1 to 1024 characters without whitespace`,
      );
    }
    if (value.indexOf(key) !== index)
      throw new FieldError(`apiKeys[${index}]`, `API key ${index + 1} repeats an earlier one`);
  });
  return [...(value as string[])];
}

/** A model id as clients or providers name it: 1 to 128 characters, no control characters. */
export function isModelId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= LIMITS.modelIdLength &&
    value.trim() === value &&
    !hasControl(value)
  );
}

function checkModels(value: unknown): Record<string, string> {
  const entries =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.entries(value as Record<string, unknown>)
      : [];
  if (entries.length === 0 || entries.length > LIMITS.maxProviderModels) {
    throw new FieldError(
      'models',
      `A provider needs 1 to ${LIMITS.maxProviderModels} models (client id → provider id)`,
    );
  }
  for (const [id, upstream] of entries) {
    if (!isModelId(id) || !isModelId(upstream)) {
      throw new FieldError(
        'models',
        `Model ids must be 1 to ${LIMITS.modelIdLength} characters without control characters ` +
          `or surrounding spaces; got '${id}' → '${String(upstream)}'`,
      );
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Checks every field of a provider, and fills in the defaults. */
export function checkProvider(provider: NewProvider): Required<NewProvider> {
  if (typeof provider !== 'object' || provider === null)
    throw new RangeError('A provider must be an object');
  const maxConcurrent = provider.maxConcurrent ?? LIMITS.defaultMaxConcurrent;
  try {
    checkInteger('maxConcurrent', maxConcurrent, 1, LIMITS.maxConcurrent);
  } catch (error) {
    throw new FieldError('maxConcurrent', (error as Error).message);
  }
  if (provider.enabled !== undefined && typeof provider.enabled !== 'boolean')
    throw new FieldError('enabled', 'enabled must be true or false');
  return {
    name: checkProviderName(provider.name),
    baseUrl: checkBaseUrl(provider.baseUrl),
    apiKeys: checkApiKeys(provider.apiKeys),
    models: checkModels(provider.models),
    price: checkModelPrice('price', provider.price),
    cost:
      provider.cost === null || provider.cost === undefined
        ? null
        : checkModelPrice('cost', provider.cost),
    maxConcurrent,
    enabled: provider.enabled ?? true,
  };
}

const COLUMNS = `name, base_url, api_keys, models, price_prompt, price_completion, cost_prompt,
  cost_completion, max_concurrent, enabled, created_at`;

function values(p: Required<NewProvider>, now: Date): unknown[] {
  return [
    p.name,
    p.baseUrl,
    JSON.stringify(p.apiKeys),
    JSON.stringify(p.models),
    p.price.prompt,
    p.price.completion,
    p.cost?.prompt ?? null,
    p.cost?.completion ?? null,
    p.maxConcurrent,
    p.enabled,
    now,
  ];
}

/** Adds the provider; {@link ConflictError} when the name is taken. */
export async function insertProvider(
  db: Sql,
  provider: NewProvider,
  now: Date,
): Promise<ProviderRecord> {
  const checked = checkProvider(provider);
  const { rows } = await db.query<ProviderRow>(
    `INSERT INTO providers (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (name) DO NOTHING RETURNING *`,
    values(checked, now),
  );
  if (!rows[0]) throw new ConflictError(`A provider named '${checked.name}' already exists`);
  return toProvider(rows[0]);
}

/**
 * Adds or replaces the provider by name, keeping its creation time, and its enabled state
 * unless `enabled` is given (so re-applying a config file does not undo an admin's disable).
 */
export async function upsertProvider(
  db: Sql,
  provider: NewProvider,
  now: Date,
): Promise<ProviderRecord> {
  const checked = checkProvider(provider);
  const { rows } = await db.query<ProviderRow>(
    `INSERT INTO providers (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (name) DO UPDATE SET base_url = EXCLUDED.base_url,
       api_keys = EXCLUDED.api_keys, models = EXCLUDED.models,
       price_prompt = EXCLUDED.price_prompt, price_completion = EXCLUDED.price_completion,
       cost_prompt = EXCLUDED.cost_prompt, cost_completion = EXCLUDED.cost_completion,
       max_concurrent = EXCLUDED.max_concurrent,
       enabled = CASE WHEN $12::boolean THEN EXCLUDED.enabled ELSE providers.enabled END
     RETURNING *`,
    [...values(checked, now), provider.enabled !== undefined],
  );
  return toProvider(rows[0]!);
}

/** Every provider, by name. */
export async function selectProviders(db: Sql): Promise<ProviderRecord[]> {
  const { rows } = await db.query<ProviderRow>('SELECT * FROM providers ORDER BY name');
  return rows.map(toProvider);
}

export async function selectProvider(db: Sql, name: string): Promise<ProviderRecord | null> {
  const { rows } = await db.query<ProviderRow>('SELECT * FROM providers WHERE name = $1', [name]);
  return rows[0] ? toProvider(rows[0]) : null;
}

/**
 * Removes the provider unless a rule names it (then {@link ConflictError} naming the rule,
 * and nothing changes); false for an unknown name.
 */
export async function deleteProvider(db: SqlDb, name: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    // Locked before the rules are read, so that a rule naming it that is being written
    // (`upsertRule` holds the row FOR SHARE) is committed and seen, or waits and then fails.
    const locked = await tx.query('SELECT name FROM providers WHERE name = $1 FOR UPDATE', [name]);
    if (locked.rows.length === 0) return false;
    const rules = await tx.query<{ org_id: string; model: string }>(
      `SELECT org_id, model FROM routing_rules
       WHERE routes @> to_jsonb(ARRAY[$1::text]) OR weights ? $1
       ORDER BY org_id, model LIMIT 1`,
      [name],
    );
    const rule = rules.rows[0];
    if (rule) {
      throw new ConflictError(
        `Provider '${name}' is used by the routing rule for org '${rule.org_id}' and model ` +
          `'${rule.model}'; change or remove that rule first`,
      );
    }
    const { rows } = await tx.query('DELETE FROM providers WHERE name = $1 RETURNING name', [name]);
    return rows.length === 1;
  });
}

export async function updateProviderEnabled(
  db: Sql,
  name: string,
  enabled: boolean,
): Promise<boolean> {
  if (typeof enabled !== 'boolean')
    throw new FieldError('enabled', 'enabled must be true or false');
  const { rows } = await db.query(
    'UPDATE providers SET enabled = $2 WHERE name = $1 RETURNING name',
    [name, enabled],
  );
  return rows.length === 1;
}
