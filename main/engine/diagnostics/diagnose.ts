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
import { explain, type ExplainedReason } from '../englishReasons.js';

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

type CheckId = DiagnosticCheck['id'];

function check(
  id: CheckId,
  ok: boolean | null,
  detail: ExplainedReason,
  fix: ExplainedReason | null = null,
): DiagnosticCheck {
  return {
    id,
    ok,
    detail: detail.text,
    detailCode: detail.code,
    fix: fix?.text ?? null,
    fixCode: fix?.code ?? null,
  };
}

function gpuCheck(hardware: HardwareReport | null): DiagnosticCheck {
  if (hardware === null) return check('gpu', null, explain('diag.gpuDetecting', {}));
  const gpus = hardware.gpus.map((gpu) => gpu.model).join(', ');
  if (hardware.gpus.length === 0) return check('gpu', null, explain('diag.gpuNone', {}));
  if (hardware.recommendedBackend === 'cpu') {
    return check('gpu', false, explain('diag.gpuUnusable', { gpus }), explain('fix.gpuDriver', {}));
  }
  return check('gpu', true, explain('diag.gpuOk', { gpus, backend: hardware.recommendedBackend }));
}

function modelCheck(models: readonly ModelStatus[]): DiagnosticCheck {
  if (models.length === 0)
    return check('model', false, explain('diag.modelNone', {}), explain('fix.serveModel', {}));
  const loaded = models.filter((model) => model.loaded).map((model) => model.id);
  if (loaded.length > 0)
    return check('model', true, explain('diag.modelLoaded', { models: loaded.join(', ') }));
  const served = models.map((model) => model.id).join(', ');
  return check('model', null, explain('diag.modelCold', { models: served }));
}

function linkCheck(link: NodeStatus['link']): DiagnosticCheck {
  const gateway = link.gatewayURL ?? '—';
  switch (link.state) {
    case 'online':
      return check('link', true, explain('diag.linkOnline', { gateway }));
    case 'disabled':
      return check('link', false, explain('diag.linkDisabled', {}), explain('fix.join', {}));
    case 'connecting':
      return check(
        'link',
        false,
        explain('diag.linkConnecting', { gateway }),
        explain('fix.waitConnecting', {}),
      );
    case 'offline': {
      // The close code and the gateway's words are technical: shown as sent, in any language.
      const why = [link.code === null ? null : String(link.code), link.reason]
        .filter(Boolean)
        .join(', ');
      return check(
        'link',
        false,
        why
          ? explain('diag.linkOfflineWhy', { gateway, why })
          : explain('diag.linkOffline', { gateway }),
        explain('fix.checkConnection', {}),
      );
    }
  }
}

function enrolledCheck(enrolled: boolean): DiagnosticCheck {
  return enrolled
    ? check('enrolled', true, explain('diag.enrolled', {}))
    : check('enrolled', false, explain('diag.notEnrolled', {}), explain('fix.join', {}));
}

/** The detail is the schedule's own reason: the dashboard translates it like the others. */
function scheduleCheck(schedule: NodeStatus['schedule']): DiagnosticCheck {
  const serving = schedule.state === 'serving';
  const detail: ExplainedReason = {
    code: schedule.reasonCode,
    text: serving ? `Serving (${schedule.reason}).` : `Not serving: ${schedule.reason}.`,
  };
  if (serving) return check('schedule', true, detail);
  const fix =
    schedule.mode === 'paused' || schedule.pausedUntil !== null
      ? explain('fix.resume', {})
      : schedule.state === 'waiting' && schedule.mode === 'idle'
        ? explain('fix.waitIdle', {})
        : schedule.state === 'waiting' && schedule.mode === 'scheduled'
          ? explain('fix.addHours', {})
          : explain('fix.waitCause', {});
  return check('schedule', false, detail, fix);
}

function priceCheck(models: readonly ModelStatus[]): DiagnosticCheck {
  if (models.length === 0) return check('price', null, explain('diag.priceNoModel', {}));
  const priced = models.filter((model) => model.market !== null);
  const high = priced.filter(
    (model) =>
      model.price.completion > model.market!.completion.p75 ||
      model.price.prompt > model.market!.prompt.p75,
  );
  const [first] = high;
  if (first) {
    const ask = {
      model: first.id,
      askUsd: first.price.completion,
      medianUsd: first.market!.completion.median,
    };
    return check(
      'price',
      false,
      high.length === 1
        ? explain('diag.priceHigh', ask)
        : explain('diag.priceHighMore', { ...ask, moreCount: high.length - 1 }),
      explain('fix.lowerPrice', {}),
    );
  }
  if (priced.length === 0) return check('price', true, explain('diag.priceNoMarket', {}));
  return check('price', true, explain('diag.priceOk', {}));
}

function errorsCheck(entries: readonly LogEntry[]): DiagnosticCheck {
  const errorCount = entries.filter((entry) => entry.level === 'error').length;
  const warnings = entries.filter((entry) => entry.level === 'warn');
  if (errorCount === 0 && warnings.length === 0)
    return check('errors', true, explain('diag.errorsNone', {}));
  const latest = (entries.findLast((entry) => entry.level === 'error') ?? warnings.at(-1))!;
  return check(
    'errors',
    false,
    explain('diag.errorsSome', { errorCount, warningCount: warnings.length, latest: latest.msg }),
    explain('fix.readLogs', {}),
  );
}

/** Runs the checks in order: gpu, model, link, enrolled, schedule, price, errors. */
export function diagnose(input: DiagnosisInput): DiagnosticCheck[] {
  const { status } = input;
  return [
    gpuCheck(input.hardware),
    modelCheck(status.models),
    linkCheck(status.link),
    enrolledCheck(input.enrolled),
    scheduleCheck(status.schedule),
    priceCheck(status.models),
    errorsCheck(input.recentErrors),
  ];
}
