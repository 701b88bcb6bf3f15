/** `byoi-node models pull NAME|URL` and `byoi-node models write-test-model [PATH]`. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveDataDir, UsageError } from './cliErrors.js';
import type { TinyTemplate } from './models/tinyModel.js';

export type ModelsConfig =
  | {
      action: 'pull';
      /** A catalog id or an http(s) URL of a GGUF file. */
      source: string;
      sha256: string | undefined;
      dataDir: string;
    }
  | {
      action: 'write-test-model';
      /** Absolute; undefined means the models folder. */
      path: string | undefined;
      /** Its chat template: ChatML, or a Qwen2.5-style one with tool calling. */
      template: TinyTemplate;
      dataDir: string;
    };

const ACTIONS = ['pull', 'write-test-model'] as const;

/** Parses what follows `models`. */
export function parseModelsArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
): { kind: 'models'; config: ModelsConfig } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        sha256: { type: 'string' },
        template: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [action, target, ...extra] = parsed.positionals;
  const known = ACTIONS.find((name) => name === action);
  if (!known) {
    throw new UsageError(
      `models needs an action: ${ACTIONS.join(' or ')}${action ? `, got '${action}'` : ''}`,
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const dataDir = resolveDataDir(parsed.values['data-dir'], env);
  if (known === 'write-test-model') {
    if (parsed.values.sha256 !== undefined) throw new UsageError('--sha256 is an option of pull');
    const template = parsed.values.template ?? 'chatml';
    if (template !== 'chatml' && template !== 'tools')
      throw new UsageError(`--template must be chatml or tools, got '${template}'`);
    return {
      kind: 'models',
      config: { action: known, path: target ? resolve(target) : undefined, template, dataDir },
    };
  }
  if (parsed.values.template !== undefined)
    throw new UsageError('--template is an option of write-test-model');
  if (!target) throw new UsageError('models pull needs a catalog model id or a URL');
  const sha256 = parsed.values.sha256;
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(sha256)) {
    throw new UsageError(`--sha256 must be 64 hex digits, got '${sha256}'`);
  }
  return { kind: 'models', config: { action: known, source: target, sha256, dataDir } };
}
