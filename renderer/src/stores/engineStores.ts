/**
 * zustand stores mirroring the engine. Each loads through one `NodeApi` verb; pushed events
 * keep status, downloads and logs current (see connectStores.ts).
 */
import type {
  DiagnosticCheck,
  DownloadView,
  EarningsSummary,
  LogEntry,
  ModelLibrary,
  NodeStatus,
} from '../../../common/nodeApi';
import type { HardwareReport } from '../../../common/hardware';
import type { Settings } from '../../../common/settings';
import { nodeClient } from '../api/clientRegistry';
import { createResource } from './resource';

const call = () => nodeClient();

export const useStatus = createResource<NodeStatus>(() => call().call('getStatus', {}));
export const useSettings = createResource<Settings>(() => call().call('getSettings', {}));
export const useEarnings = createResource<EarningsSummary>(() => call().call('getEarnings', {}));
export const useHardware = createResource<HardwareReport>(() => call().call('getHardware', {}));
export const useModels = createResource<ModelLibrary>(() => call().call('listModels', {}));
export const useDiagnostics = createResource<DiagnosticCheck[]>(() =>
  call().call('getDiagnostics', {}),
);

/** How many log entries the viewer keeps. */
export const LOG_LIMIT = 500;
export const useLogs = createResource<LogEntry[]>(() =>
  call().call('getLogs', { limit: LOG_LIMIT }),
);

/** Adds a pushed log entry to the loaded ones. */
export function appendLog(entry: LogEntry): void {
  const entries = useLogs.getState().data;
  if (!entries) return;
  useLogs.getState().set([...entries, entry].slice(-LOG_LIMIT));
}

/** Merges a pushed download into the library; a finished one reloads the installed list. */
export function mergeDownload(download: DownloadView): void {
  const library = useModels.getState().data;
  if (library) {
    const index = library.downloads.findIndex((entry) => entry.id === download.id);
    const downloads =
      index === -1
        ? [...library.downloads, download]
        : library.downloads.map((entry, i) => (i === index ? download : entry));
    useModels.getState().set({ ...library, downloads });
  }
  if (download.state === 'done') void useModels.getState().load();
}
