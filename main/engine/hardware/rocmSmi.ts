/**
 * AMD GPUs read from `rocm-smi --json`. Key names differ between ROCm releases
 * ("Card series" vs "Card Series" vs "Device Name"), so fields are matched by pattern.
 */
import type { GpuInfo, ProbeResult } from '../../../common/hardware.js';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  execFileRunner,
  parseMeasurement,
  probeFromRun,
  runTool,
  type CommandRunner,
} from './commandRunner.js';

/** Arguments for the rocm-smi query. */
export const ROCM_SMI_ARGS: readonly string[] = [
  '--showproductname',
  '--showmeminfo',
  'vram',
  '--showuse',
  '--showtemp',
  '--showdriverversion',
  '--json',
];

type JsonRecord = Record<string, unknown>;

const BYTES_PER_MB = 1024 * 1024;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pick(record: JsonRecord, ...patterns: RegExp[]): unknown {
  for (const pattern of patterns) {
    const key = Object.keys(record).find((k) => pattern.test(k.trim()));
    if (key !== undefined) return record[key];
  }
  return undefined;
}

/** First pattern whose key holds real text; "N/A" under one name falls through to the next. */
function pickText(record: JsonRecord, ...patterns: RegExp[]): string | null {
  for (const pattern of patterns) {
    const value = pick(record, pattern);
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const text = String(value).trim();
    if (text !== '' && !text.startsWith('[') && !/^n\/?a$/i.test(text)) return text;
  }
  return null;
}

/** rocm-smi often prints warnings around the JSON; keep the outermost object. */
function extractJsonObject(stdout: string): unknown {
  const start = stdout.indexOf('{');
  const end = stdout.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    return JSON.parse(stdout.slice(start, end + 1)) as unknown;
  } catch {
    return undefined;
  }
}

function findCards(root: JsonRecord): Array<[number, JsonRecord]> {
  const cards: Array<[number, JsonRecord]> = [];
  for (const [key, value] of Object.entries(root)) {
    const match = /^card(\d+)$/i.exec(key);
    if (match && isRecord(value)) cards.push([Number(match[1]), value]);
  }
  if (cards.length === 0) {
    // Some releases nest the cards one level down (e.g. under "system").
    for (const value of Object.values(root)) if (isRecord(value)) cards.push(...findCards(value));
  }
  return cards.sort((a, b) => a[0] - b[0]);
}

function bytesToMB(bytes: number | null): number | null {
  return bytes === null ? null : Math.round(bytes / BYTES_PER_MB);
}

/**
 * Parses `rocm-smi … --json` output. Returns `null` when the output holds no JSON object
 * at all (garbage), otherwise the cards found (possibly none).
 */
export function parseRocmSmiJson(stdout: string): GpuInfo[] | null {
  const root = extractJsonObject(stdout);
  if (!isRecord(root)) return null;
  const system = isRecord(root.system) ? root.system : {};
  const systemDriver = pickText(system, /^driver version$/i);
  return findCards(root).map(([index, card]): GpuInfo => {
    const total = parseMeasurement(pick(card, /^vram total memory \(b\)$/i));
    const used = parseMeasurement(pick(card, /^vram total used memory \(b\)$/i));
    return {
      index,
      vendor: 'amd',
      model:
        pickText(card, /^card series$/i, /^device name$/i, /^card sku$/i, /^card model$/i) ??
        'AMD GPU',
      vramTotalMB: bytesToMB(total),
      vramFreeMB: total !== null && used !== null ? bytesToMB(Math.max(0, total - used)) : null,
      driver: pickText(card, /^driver version$/i) ?? systemDriver,
      utilizationPercent: parseMeasurement(pick(card, /^gpu use \(%\)$/i)),
      temperatureC: parseMeasurement(
        pick(
          card,
          /^temperature \(sensor edge\)/i,
          /^temperature \(sensor junction\)/i,
          /^temperature/i,
        ),
      ),
      powerDrawW: null,
      uuid: pickText(card, /^unique id$/i),
      source: 'rocm-smi',
    };
  });
}

/** Options for {@link queryRocmSmi}. */
export interface RocmSmiOptions {
  /** Command runner; tests pass recorded output here. Defaults to `execFile`. */
  exec?: CommandRunner;
  /** Per-call timeout in ms (default 3000). */
  timeoutMs?: number;
}

/** Lists AMD GPUs via rocm-smi. Never throws; an absent binary gives no GPUs and an ok probe. */
export async function queryRocmSmi(
  options: RocmSmiOptions = {},
): Promise<{ gpus: GpuInfo[]; probe: ProbeResult }> {
  const name = 'rocm-smi';
  const run = await runTool(
    options.exec ?? execFileRunner,
    'rocm-smi',
    ROCM_SMI_ARGS,
    options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
  );
  if (run.kind !== 'ok') return { gpus: [], probe: probeFromRun(name, run) };
  const gpus = parseRocmSmiJson(run.stdout);
  if (gpus === null)
    return {
      gpus: [],
      probe: {
        name,
        ok: false,
        error: 'unparseable output (no JSON object)',
        durationMs: run.durationMs,
      },
    };
  return { gpus, probe: { name, ok: true, durationMs: run.durationMs } };
}
