/**
 * What the screens ask the engine to do. Each calls one verb, puts the answer in its store
 * and refreshes the status, so the effect shows before the next pushed snapshot. They throw
 * on failure; the calling form shows the error (see useAction).
 */
import type { NodeApiArgs, NodeApiResults } from '../../../common/nodeApi';
import type { ModelPrice } from '../../../common/protocol';
import type { ScheduleMode, Settings, SettingsPatch } from '../../../common/settings';
import { nodeClient } from '../api/clientRegistry';
import { useModels, useSettings, useStatus } from './engineStores';

const refreshStatus = () => void useStatus.getState().load();

function settingsChanged(settings: Settings): Settings {
  useSettings.getState().set(settings);
  refreshStatus();
  return settings;
}

export async function updateSettings(patch: SettingsPatch): Promise<Settings> {
  return settingsChanged(await nodeClient().call('updateSettings', patch));
}

export async function setMode(mode: ScheduleMode): Promise<Settings> {
  return settingsChanged(await nodeClient().call('setMode', { mode }));
}

/** Pauses for `minutes`, or until resumed. */
export async function pause(minutes?: number): Promise<Settings> {
  return settingsChanged(
    await nodeClient().call('pause', minutes === undefined ? {} : { minutes }),
  );
}

export async function resume(): Promise<Settings> {
  return settingsChanged(await nodeClient().call('resume', {}));
}

/** A model's own price (null drops it), or the default price without `model`. */
export async function setPrice(model: string | undefined, price: ModelPrice | null) {
  return settingsChanged(
    await nodeClient().call('setPrice', model === undefined ? { price } : { model, price }),
  );
}

export async function serveModel(id: string, serve: boolean) {
  useModels.getState().set(await nodeClient().call('serveModel', { id, serve }));
  refreshStatus();
}

export async function downloadModel(args: NodeApiArgs<'downloadModel'>) {
  const download = await nodeClient().call('downloadModel', args);
  await useModels.getState().load();
  return download;
}

export async function cancelDownload(id: string) {
  await nodeClient().call('cancelDownload', { id });
  await useModels.getState().load();
}

export function runBenchmark(model: string): Promise<NodeApiResults['runBenchmark']> {
  return nodeClient().call('runBenchmark', { model });
}

export async function joinNetwork(args: NodeApiArgs<'joinNetwork'>) {
  const link = await nodeClient().call('joinNetwork', args);
  refreshStatus();
  return link;
}

export function exportEarningsCsv(): Promise<string> {
  return nodeClient().call('exportEarningsCsv', {});
}

export function exportDiagnostics(): Promise<string> {
  return nodeClient().call('exportDiagnostics', {});
}
