/** Feeds the stores from the client's pushed events and reloads them after a reconnect. */
import type { NodeClient } from '../api/nodeClient';
import { useConnection } from './connectionStore';
import {
  appendLog,
  mergeDownload,
  useEarnings,
  useLogs,
  useModels,
  useSettings,
  useStatus,
} from './engineStores';

/** Starts mirroring; returns the function that stops it. */
export function connectStores(client: NodeClient): () => void {
  useConnection.setState({ transport: client.transport, state: client.state });
  const offEvents = client.onEvent((event) => {
    if (event.type === 'status') useStatus.getState().set(event.status);
    else if (event.type === 'download') mergeDownload(event.download);
    else if (event.type === 'log') appendLog(event.entry);
  });
  const offState = client.onState((state) => {
    useConnection.setState({ state });
    if (state !== 'open') return;
    // Back after a drop: what changed meanwhile was not pushed to us. Stores with neither
    // data nor an error are still on their first load, which the socket is sending now.
    for (const store of [useStatus, useSettings, useEarnings, useModels, useLogs]) {
      const { data, error } = store.getState();
      if (data !== null || error !== null) void store.getState().load();
    }
  });
  void useStatus.getState().load();
  void useSettings.getState().load();
  return () => {
    offEvents();
    offState();
  };
}
