/**
 * What the tray shows, as pure functions of the engine's status snapshot and the engine
 * process's state: one of five icons, a tooltip, and the status line of the menu.
 */
import type { NodeStatus } from '../../common/nodeApi.js';
import type { EngineProcessState } from '../../common/ipcContract.js';
import { TRAY_STRINGS, type TrayStrings } from './trayStrings.js';

export type TrayState = 'serving' | 'waiting' | 'paused' | 'offline' | 'error';
export const TRAY_STATES: readonly TrayState[] = [
  'serving',
  'waiting',
  'paused',
  'offline',
  'error',
];

export type EngineView = Pick<EngineProcessState, 'state' | 'lastError'>;

/**
 * - `error`: the engine process is down (crashed and restarting, or could not start);
 * - `offline`: no status yet, or not linked to the network;
 * - `paused`: the schedule says paused (by the user, battery, heat, the user came back…),
 *   whatever the link does: the user's choice is the news;
 * - `serving` / `waiting`: linked, and the schedule serves or waits for idle time or a window.
 */
export function trayState(status: NodeStatus | null, engine: EngineView): TrayState {
  if (engine.state === 'restarting' || engine.state === 'stopped') return 'error';
  if (engine.state === 'starting' || status === null) return 'offline';
  if (status.schedule.state === 'paused') return 'paused';
  if (status.link.state !== 'online') return 'offline';
  return status.schedule.state;
}

/** Completion tokens per second being generated now: each running job at its model's speed. */
export function currentTokensPerSecond(status: NodeStatus | null): number {
  if (!status) return 0;
  return status.models.reduce(
    (sum, model) => sum + (model.running > 0 ? model.running * (model.tokensPerSecond ?? 0) : 0),
    0,
  );
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const clip = (text: string, max = 90) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The first, disabled line of the menu: what the node is doing and why. */
export function statusLine(
  status: NodeStatus | null,
  engine: EngineView,
  strings: TrayStrings = TRAY_STRINGS.en,
): string {
  switch (engine.state) {
    case 'restarting':
      return strings.engineRestarting;
    case 'stopped':
      return clip(
        engine.lastError
          ? strings.engineNotRunningBecause(engine.lastError)
          : strings.engineNotRunning,
      );
    case 'starting':
      return strings.engineStarting;
    case 'running':
      break;
  }
  if (!status) return strings.waitingForEngine;
  // Whatever the schedule says, nothing is served until the node is updated.
  if (status.link.updateRequired) return strings.updateRequired;
  if (status.schedule.state !== 'paused') {
    if (status.link.state === 'disabled') return strings.notJoined;
    if (status.link.state !== 'online') return clip(strings.offline(status.link.reason));
  }
  return clip(capitalize(status.schedule.reason));
}

/**
 * The tray tooltip, e.g. "BYOI Node: serving, 41.7 tokens/s", with the contributor milestone
 * reached, e.g. " · 1M tokens served".
 */
export function trayTooltip(
  status: NodeStatus | null,
  engine: EngineView,
  strings: TrayStrings = TRAY_STRINGS.en,
): string {
  const state = trayState(status, engine);
  const speed = currentTokensPerSecond(status);
  const rate =
    state === 'serving' || speed > 0 ? `, ${speed.toFixed(1)} ${strings.tokensPerSecond}` : '';
  const milestone = status?.standing?.milestone;
  const mark = milestone ? ` · ${compactTokens(milestone)} ${strings.tokensServed}` : '';
  return `BYOI Node: ${strings.states[state]}${rate}${mark}`;
}

/** 1000 → "1k", 1000000 → "1M": a milestone in the tooltip's few characters. */
function compactTokens(tokens: number): string {
  if (tokens >= 1e9) return `${tokens / 1e9}B`;
  if (tokens >= 1e6) return `${tokens / 1e6}M`;
  if (tokens >= 1e3) return `${tokens / 1e3}k`;
  return String(tokens);
}

/** USD, with more digits for small amounts (a hobbyist's first cents matter). */
export function formatUsd(amount: number): string {
  return `$${amount.toFixed(Math.abs(amount) < 1 ? 4 : 2)}`;
}
