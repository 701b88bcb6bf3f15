/**
 * The one place IPC from the dashboard is checked. Every invoke goes through `handle`:
 * the channel must be one of ours, the sender must be the main frame of our window showing
 * our dashboard, the verb must exist, and its arguments must parse with `nodeApiArgs[verb]`.
 * Only then is the call forwarded to the engine. Refusals are answered with a clear error
 * and logged (channel, verb, reason, sender URL; never the arguments, which may hold
 * user text).
 */
import type { Logger } from '../../common/log.js';
import {
  INVOKE_CHANNELS,
  IPC_CHANNELS,
  type EngineProcessState,
  type IpcReply,
  type UpdateStatus,
} from '../../common/ipcContract.js';
import { isNodeApiVerb, nodeApiArgs, type NodeApiVerb } from '../../common/nodeApi.js';
import type { WireError } from '../../common/nodeApiWire.js';
import { apiErrorFromZod } from '../../common/openaiErrors.js';
import { isAppUrl, type AppOrigin } from './appOrigin.js';
import type { FrameLike, IpcInvokeEventLike, IpcMainLike } from './electronDeps.js';

export interface IpcGateOptions {
  origin: AppOrigin;
  /** Our window's web contents, or null while there is none. */
  window: () => {
    readonly webContents: { readonly id: number; readonly mainFrame: FrameLike };
  } | null;
  /** Forwards a checked call to the engine. */
  call: (verb: NodeApiVerb, args: unknown) => Promise<unknown>;
  engineState: () => EngineProcessState;
  /** Starts (or finds running) the private network on this machine; absent: refused. */
  privateNetwork?: () => Promise<unknown>;
  /** The app's updates (updater.ts); absent or null: this app does not update itself. */
  updates?: {
    readonly status: UpdateStatus;
    /** Quits and installs the downloaded update; false when none is downloaded. */
    restartToUpdate(): boolean;
  } | null;
  logger: Logger;
}

/** The update state of an app that does not update itself. */
const UPDATES_DISABLED: UpdateStatus = {
  state: 'disabled',
  version: null,
  error: null,
  checkedAt: null,
};

/** The invoke channels that take no arguments (`{}` or nothing). */
const NO_ARGUMENT_CHANNELS = {
  [IPC_CHANNELS.privateNetwork]: 'startPrivateNetwork',
  [IPC_CHANNELS.restartToUpdate]: 'restartToUpdate',
} as const;
type NoArgumentChannel = keyof typeof NO_ARGUMENT_CHANNELS;

type Checked =
  | { ok: true; channel: typeof IPC_CHANNELS.engineState }
  | { ok: true; channel: typeof IPC_CHANNELS.updateState }
  | { ok: true; channel: typeof IPC_CHANNELS.privateNetwork }
  | { ok: true; channel: typeof IPC_CHANNELS.restartToUpdate }
  | { ok: true; channel: typeof IPC_CHANNELS.call; verb: NodeApiVerb; args: unknown }
  | { ok: false; error: WireError; verb: string | null };

const refused = (
  status: number,
  code: string,
  message: string,
  verb: string | null = null,
  param: string | null = null,
): Checked => ({
  ok: false,
  verb,
  error: { status, message, type: 'invalid_request_error', code, param },
});

const refusedReply = (status: number, code: string, message: string): IpcReply => ({
  ok: false,
  error: { status, message, type: 'invalid_request_error', code, param: null },
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export class IpcGate {
  constructor(private readonly options: IpcGateOptions) {}

  /** Registers the invoke channels; returns the function that removes them. */
  register(ipcMain: IpcMainLike): () => void {
    for (const channel of INVOKE_CHANNELS) {
      ipcMain.handle(channel, (event, payload) => this.handle(channel, event, payload));
    }
    return () => {
      for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel);
    };
  }

  /** Checks one invoke and, when it passes, answers it. Never throws. */
  async handle(channel: string, event: IpcInvokeEventLike, payload: unknown): Promise<IpcReply> {
    const checked = this.check(channel, event, payload);
    if (!checked.ok) {
      this.options.logger.warn('ipc call refused', {
        channel,
        verb: checked.verb,
        reason: checked.error.message,
        senderUrl: event.senderFrame?.url ?? null,
      });
      return { ok: false, error: checked.error };
    }
    if (checked.channel === IPC_CHANNELS.engineState) {
      return { ok: true, result: this.options.engineState() };
    }
    if (checked.channel === IPC_CHANNELS.updateState) {
      return { ok: true, result: this.options.updates?.status ?? UPDATES_DISABLED };
    }
    if (checked.channel === IPC_CHANNELS.restartToUpdate) {
      if (this.options.updates?.restartToUpdate()) return { ok: true, result: true };
      return refusedReply(409, 'no_update_downloaded', 'No update has been downloaded yet');
    }
    const what = checked.channel === IPC_CHANNELS.call ? checked.verb : 'startPrivateNetwork';
    try {
      if (checked.channel === IPC_CHANNELS.privateNetwork) {
        const start = this.options.privateNetwork;
        if (!start) {
          return refusedReply(501, 'unsupported', 'This app cannot run a private network');
        }
        return { ok: true, result: await start() };
      }
      return { ok: true, result: await this.options.call(checked.verb, checked.args) };
    } catch (error) {
      const wire = (error as { wire?: WireError } | null)?.wire;
      if (wire) return { ok: false, error: wire };
      this.options.logger.error('ipc call failed', { verb: what, error: String(error) });
      // The private network's own errors are written for the user (the gateway's last line).
      if (checked.channel === IPC_CHANNELS.privateNetwork) {
        return {
          ok: false,
          error: {
            status: 500,
            message: `The private network could not start: ${error instanceof Error ? error.message : String(error)}`,
            type: 'server_error',
            code: 'private_network_failed',
            param: null,
          },
        };
      }
      return {
        ok: false,
        error: {
          status: 500,
          message: `'${what}' failed in the app`,
          type: 'server_error',
          code: 'internal_error',
          param: null,
        },
      };
    }
  }

  /** The checks, in order; the first that fails decides the answer. */
  check(channel: string, event: IpcInvokeEventLike, payload: unknown): Checked {
    if (!INVOKE_CHANNELS.has(channel)) {
      return refused(404, 'unknown_channel', `Unknown IPC channel '${channel}'`);
    }
    const frameProblem = this.frameProblem(event);
    if (frameProblem) return refused(403, 'foreign_sender', frameProblem);
    if (channel === IPC_CHANNELS.engineState || channel === IPC_CHANNELS.updateState) {
      return { ok: true, channel };
    }
    if (channel in NO_ARGUMENT_CHANNELS) {
      const name = NO_ARGUMENT_CHANNELS[channel as NoArgumentChannel];
      if (payload !== undefined && (!isObject(payload) || Object.keys(payload).length > 0)) {
        return refused(400, 'invalid_value', `${name} takes no arguments ({})`);
      }
      return { ok: true, channel: channel as NoArgumentChannel } as Checked;
    }

    if (!isObject(payload) || typeof payload['verb'] !== 'string') {
      return refused(400, 'invalid_value', "A call must be an object with a 'verb'", null, 'verb');
    }
    const verb = payload['verb'];
    if (!isNodeApiVerb(verb)) {
      return refused(
        404,
        'unknown_verb',
        `Unknown verb '${verb.slice(0, 64)}'`,
        verb.slice(0, 64),
        'verb',
      );
    }
    const args = payload['args'] === undefined ? {} : payload['args'];
    const parsed = nodeApiArgs[verb].safeParse(args);
    if (!parsed.success) {
      const error = apiErrorFromZod(parsed.error, args);
      return refused(
        400,
        error.code ?? 'invalid_value',
        `${verb}: ${error.message}`,
        verb,
        error.param,
      );
    }
    return { ok: true, channel: IPC_CHANNELS.call, verb, args: parsed.data };
  }

  /** Why the sender is not our dashboard, or null when it is. */
  private frameProblem(event: IpcInvokeEventLike): string | null {
    const window = this.options.window();
    if (!window) return 'The app window is not open';
    if (event.sender.id !== window.webContents.id) return 'The call came from another window';
    const frame = event.senderFrame;
    if (!frame) return 'The calling frame is gone (navigated or destroyed)';
    const main = window.webContents.mainFrame;
    if (
      frame.parent !== null ||
      frame.processId !== main.processId ||
      frame.routingId !== main.routingId
    ) {
      return 'The call came from a subframe, not the window itself';
    }
    if (!isAppUrl(this.options.origin, frame.url)) {
      return `The calling page is not the dashboard (${frame.url.slice(0, 200)})`;
    }
    return null;
  }
}
