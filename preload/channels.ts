/**
 * The IPC channels the bridge uses. The preload cannot import main/electron (lint), so these
 * mirror `IPC_CHANNELS` in main/electron/ipcGate.ts; tests/electron checks they agree.
 */
export const BRIDGE_CHANNELS = {
  call: 'byoi:call',
  engineState: 'byoi:engine-state',
  event: 'byoi:event',
  engine: 'byoi:engine',
  navigate: 'byoi:navigate',
  privateNetwork: 'byoi:private-network',
} as const;
