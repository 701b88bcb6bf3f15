/** The transport and its connection state, for the banner and the about box. */
import { create } from 'zustand';
import type { ConnectionState } from '../api/nodeClient';

interface ConnectionStore {
  transport: 'ipc' | 'websocket' | null;
  state: ConnectionState;
}

export const useConnection = create<ConnectionStore>()(() => ({
  transport: null,
  state: 'connecting',
}));
