/**
 * Starting the headless node's link: log every state change as a JSON-friendly line
 * ('link online', 'link offline'), and wait for the first welcome before the node says it
 * is ready.
 */
import type { Logger } from '../../../common/log.js';
import { realClock } from '../../../common/node/timers.js';
import { CloseCode } from '../../../common/protocol.js';
import {
  LinkClient,
  revokedAdvice,
  type LinkClientOptions,
  type LinkStatus,
} from './linkClient.js';

/** The link did not come online at startup. */
export class LinkStartupError extends Error {
  override name = 'LinkStartupError';
}

/** Logs the link's state changes: 'link connecting' (debug), 'link online', 'link offline'. */
export function logLinkStates(client: LinkClient, logger: Logger, gatewayURL: string): void {
  client.on('state', (status) => {
    if (status.state === 'connecting') {
      logger.debug('link connecting', { gateway: gatewayURL });
    } else if (status.state === 'online') {
      logger.info('link online', {
        gateway: gatewayURL,
        nodeId: status.nodeId,
        orgId: status.orgId,
      });
    } else {
      const log =
        status.retryInMs === null && status.code !== CloseCode.GoingAway
          ? logger.error
          : logger.info;
      log('link offline', {
        code: status.code,
        reason: status.reason,
        retryInMs: status.retryInMs,
      });
    }
  });
}

function describe(status: LinkStatus): string {
  if (status.code === null) return 'no answer';
  return `closed with ${status.code}${status.reason ? `: ${status.reason}` : ''}`;
}

/**
 * Creates and starts a {@link LinkClient}, and resolves once the gateway has welcomed the
 * node. Rejects with a {@link LinkStartupError} (after stopping the client) when the gateway
 * refuses the node for good, or when no welcome comes within `startupTimeoutMs` (on
 * `options.clock`, like the link's own timers).
 */
export function startLink(
  options: LinkClientOptions & { logger: Logger; startupTimeoutMs: number },
): Promise<LinkClient> {
  const client = new LinkClient(options);
  const clock = options.clock ?? realClock;
  logLinkStates(client, options.logger, options.gatewayURL);
  return new Promise<LinkClient>((resolve, reject) => {
    let last: LinkStatus | undefined;
    const fail = (message: string) => {
      cleanup();
      void client.stop('startup failed').finally(() => reject(new LinkStartupError(message)));
    };
    const onState = (status: LinkStatus) => {
      if (status.state === 'online') {
        cleanup();
        resolve(client);
      } else if (status.state === 'offline') {
        last = status;
        if (status.retryInMs === null) {
          const advice =
            status.code === CloseCode.Revoked
              ? revokedAdvice(options.identity.keyPath)
              : status.updateRequired
                ? 'update byoi-node to a version this gateway accepts'
                : "enroll it with 'byoi-node enroll'";
          fail(
            `the gateway at ${options.gatewayURL} refused this node (${describe(status)}); ${advice}`,
          );
        }
      }
    };
    const timer = clock.setTimeout(() => {
      fail(
        `could not link to the gateway at ${options.gatewayURL} within ${Math.round(options.startupTimeoutMs / 1000)} s` +
          (last ? ` (last attempt ${describe(last)})` : ''),
      );
    }, options.startupTimeoutMs);
    const cleanup = () => {
      clock.clearTimeout(timer);
      client.off('state', onState);
    };
    client.on('state', onState);
    client.start();
  });
}
