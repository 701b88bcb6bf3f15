/**
 * "Why am I not earning?": a pure check of a snapshot of the engine, step by step from the
 * hardware to recent errors. Each check says what it found and, for a problem, what to do.
 */
import type { HardwareReport } from '../../../common/hardware.js';
import type {
  DiagnosticCheck,
  LogEntry,
  ModelStatus,
  NodeStatus,
} from '../../../common/nodeApi.js';

/** What the checks look at. */
export interface DiagnosisInput {
  /** Null before detection finished. */
  hardware: HardwareReport | null;
  status: NodeStatus;
  /** The node holds an identity the gateway accepted. */
  enrolled: boolean;
  /** Log entries of the last hour (others are ignored by level, not by time). */
  recentErrors: readonly LogEntry[];
}

const check = (
  id: DiagnosticCheck['id'],
  ok: boolean | null,
  detail: string,
  fix: string | null = null,
): DiagnosticCheck => ({ id, ok, detail, fix });

function gpuCheck(hardware: HardwareReport | null, status: NodeStatus): DiagnosticCheck {
  if (hardware === null) {
    return check('gpu', null, `Hardware is still being detected (${status.hardware.summary}).`);
  }
  const names = hardware.gpus.map((gpu) => gpu.model).join(', ');
  if (hardware.gpus.length === 0) {
    return check(
      'gpu',
      null,
      'No GPU detected: the node runs on the CPU, which works but earns less per hour.',
    );
  }
  if (hardware.recommendedBackend === 'cpu') {
    return check(
      'gpu',
      false,
      `Found ${names}, but no GPU backend can use it, so the node runs on the CPU.`,
      'Install or update the GPU driver (CUDA for NVIDIA, Vulkan otherwise), then restart the node.',
    );
  }
  return check('gpu', true, `Using ${names} (${hardware.recommendedBackend}).`);
}

function modelCheck(models: readonly ModelStatus[]): DiagnosticCheck {
  if (models.length === 0) {
    return check(
      'model',
      false,
      'No model is being served.',
      'Download a model on the Models page and turn on Serve.',
    );
  }
  const loaded = models.filter((model) => model.loaded).map((model) => model.id);
  if (loaded.length > 0) return check('model', true, `Loaded and served: ${loaded.join(', ')}.`);
  return check(
    'model',
    null,
    `Served but not in memory yet: ${models.map((model) => model.id).join(', ')}. A model loads on its first request.`,
  );
}

function linkCheck(link: NodeStatus['link']): DiagnosticCheck {
  const where = link.gatewayURL ?? 'the network';
  switch (link.state) {
    case 'online':
      return check('link', true, `Online with ${where}.`);
    case 'disabled':
      return check(
        'link',
        false,
        'Not linked to a network.',
        'Join a network with the code from your gateway.',
      );
    case 'connecting':
      return check(
        'link',
        false,
        `Connecting to ${where}…`,
        'Wait a moment; if it stays here, check the internet connection.',
      );
    case 'offline': {
      const why = [link.code === null ? null : `code ${link.code}`, link.reason]
        .filter(Boolean)
        .join(', ');
      return check(
        'link',
        false,
        `Offline from ${where}${why ? ` (${why})` : ''}; it reconnects by itself.`,
        'Check the internet connection and that the gateway address is right.',
      );
    }
  }
}

function enrolledCheck(enrolled: boolean): DiagnosticCheck {
  return enrolled
    ? check('enrolled', true, 'This node is enrolled with the network.')
    : check(
        'enrolled',
        false,
        'This node is not enrolled yet.',
        'Join a network with a one-time code from your gateway.',
      );
}

function scheduleCheck(schedule: NodeStatus['schedule']): DiagnosticCheck {
  if (schedule.state === 'serving') return check('schedule', true, `Serving (${schedule.reason}).`);
  const detail = `Not serving: ${schedule.reason}.`;
  if (schedule.mode === 'paused' || schedule.pausedUntil !== null) {
    return check('schedule', false, detail, 'Resume from the dashboard or the tray menu.');
  }
  if (schedule.state === 'waiting' && schedule.mode === 'idle') {
    return check(
      'schedule',
      false,
      detail,
      "It serves once the computer is idle; choose mode 'always' to serve now.",
    );
  }
  if (schedule.state === 'waiting' && schedule.mode === 'scheduled') {
    return check(
      'schedule',
      false,
      detail,
      "It serves inside your scheduled hours; add hours or choose mode 'always'.",
    );
  }
  return check(
    'schedule',
    false,
    detail,
    'It resumes by itself once the cause is gone; the schedule settings decide what pauses it.',
  );
}

function usd(amount: number): string {
  return `$${amount >= 1 ? amount.toFixed(2) : String(Number(amount.toPrecision(2)))}`;
}

function priceCheck(models: readonly ModelStatus[]): DiagnosticCheck {
  if (models.length === 0)
    return check('price', null, 'No model is served, so there is no price to compare.');
  const priced = models.filter((model) => model.market !== null);
  const high = priced.filter(
    (model) =>
      model.price.completion > model.market!.completion.p75 ||
      model.price.prompt > model.market!.prompt.p75,
  );
  if (high.length > 0) {
    const each = high.map(
      (model) =>
        `${model.id} asks ${usd(model.price.completion)} per 1M completion tokens, the median is ${usd(model.market!.completion.median)}`,
    );
    return check(
      'price',
      false,
      `Your price is above what 75% of the network asks: ${each.join('; ')}.`,
      'Lower the price toward the market median on the Pricing page.',
    );
  }
  if (priced.length === 0) {
    return check('price', true, 'No market prices yet to compare with; any price can win jobs.');
  }
  return check('price', true, 'Your prices are within what most of the network asks.');
}

function errorsCheck(entries: readonly LogEntry[]): DiagnosticCheck {
  const errors = entries.filter((entry) => entry.level === 'error');
  const warnings = entries.filter((entry) => entry.level === 'warn');
  if (errors.length === 0 && warnings.length === 0) {
    return check('errors', true, 'No errors or warnings in the last hour.');
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const latest = (errors.at(-1) ?? warnings.at(-1))!;
  return check(
    'errors',
    false,
    `${plural(errors.length, 'error')} and ${plural(warnings.length, 'warning')} in the last hour; the latest ${errors.length > 0 ? 'error' : 'warning'}: "${latest.msg}".`,
    'Read the Logs page; export the diagnostics for support if it goes on.',
  );
}

/** Runs the checks in order: gpu, model, link, enrolled, schedule, price, errors. */
export function diagnose(input: DiagnosisInput): DiagnosticCheck[] {
  const { status } = input;
  return [
    gpuCheck(input.hardware, status),
    modelCheck(status.models),
    linkCheck(status.link),
    enrolledCheck(input.enrolled),
    scheduleCheck(status.schedule),
    priceCheck(status.models),
    errorsCheck(input.recentErrors),
  ];
}
