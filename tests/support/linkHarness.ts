/**
 * A real LinkClient wired to a fresh stand-in gateway, for link tests; and waiting on the
 * client's events.
 */
import {
  LinkClient,
  type LinkClientEvents,
  type LinkClientOptions,
} from '../../main/engine/link/linkClient.js';
import { silentLogger } from '../../common/log.js';
import { GATEWAY_KEY, StandIn, type EnrollHandler, type Peer } from './standInGateway.js';

export interface LinkHarness {
  standIn: StandIn;
  client: LinkClient;
  /** Every state the client has been in, in order. */
  states: string[];
  /** The client's first connection. */
  peer: Peer;
  /** Stops the client, then the stand-in. */
  close(): Promise<void>;
}

/**
 * Starts a stand-in gateway and a LinkClient dialing it (fast backoff, silent logs, the
 * stand-in's receipt key), and waits for the first connection.
 */
export async function startLinkHarness(
  options: Omit<LinkClientOptions, 'gatewayURL'>,
  standInOptions: { autoPong?: boolean; enroll?: EnrollHandler } = {},
): Promise<LinkHarness> {
  const standIn = await StandIn.start(standInOptions);
  const client = new LinkClient({
    gatewayURL: standIn.url,
    logger: silentLogger,
    agent: 'byoi-node/test',
    gatewayPublicKey: GATEWAY_KEY,
    backoff: { baseMs: 1, capMs: 5 },
    ...options,
  });
  const states: string[] = [];
  client.on('state', (status) => states.push(status.state));
  client.start();
  return {
    standIn,
    client,
    states,
    peer: await standIn.peer(0),
    close: async () => {
      await client.stop();
      await standIn.close();
    },
  };
}

/** The next `event` of a LinkClient that matches. */
export function nextEvent<K extends keyof LinkClientEvents>(
  client: LinkClient,
  event: K,
  match: (value: LinkClientEvents[K][0]) => boolean = () => true,
): Promise<LinkClientEvents[K][0]> {
  return new Promise((resolve) => {
    const listener = (value: LinkClientEvents[K][0]) => {
      if (!match(value)) return;
      (client.off as (e: K, l: typeof listener) => void)(event, listener);
      resolve(value);
    };
    (client.on as (e: K, l: typeof listener) => void)(event, listener);
  });
}
