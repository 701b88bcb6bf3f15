/** Node faults in the store: counted per kind, quarantine at the threshold, cleared by an operator. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBackends } from '../support/storeBackends.js';
import type { GatewayStore, NodeRecord } from '../../gateway/store/types.js';
import { nodePublicKey } from './helpers.js';

let store: GatewayStore;
let clock = new Date('2030-01-01T00:00:00.000Z');

async function newNode(): Promise<NodeRecord> {
  const org = await store.createOrg('providers');
  const { code } = await store.createEnrollmentCode(org.id);
  return store.enrollNode(code, nodePublicKey(), 'rig');
}

const listed = async (id: string) => (await store.listNodes()).find((node) => node.id === id)!;
describeBackends((backend) => {
  beforeAll(async () => {
    store = await backend.open({ now: () => clock });
  });
  afterAll(() => store.close());

  describe('node faults', () => {
    it('starts clean, counts each kind, and quarantines at the threshold', async () => {
      const node = await newNode();
      expect(node).toMatchObject({ quarantinedAt: null, faults: [] });
      expect(await store.recordNodeFault(node.id, 'stall', 'silent 15000 ms', 3)).toEqual({
        total: 1,
        quarantined: false,
        newlyQuarantined: false,
      });
      clock = new Date('2030-01-01T00:01:00.000Z');
      await store.recordNodeFault(node.id, 'stall', 'silent again', 3);
      const third = await store.recordNodeFault(node.id, 'usage_over_report', 'x'.repeat(999), 3);
      expect(third).toEqual({ total: 3, quarantined: true, newlyQuarantined: true });
      // Already quarantined: the next fault keeps it so, and is not "newly".
      expect(await store.recordNodeFault(node.id, 'offer_timeout', 'no answer', 3)).toMatchObject({
        total: 4,
        quarantined: true,
        newlyQuarantined: false,
      });
      const shown = await listed(node.id);
      expect(shown.quarantinedAt).toBe(clock.toISOString());
      expect(shown.faults).toEqual([
        { kind: 'offer_timeout', count: 1, lastAt: clock.toISOString(), lastDetail: 'no answer' },
        { kind: 'stall', count: 2, lastAt: clock.toISOString(), lastDetail: 'silent again' },
        expect.objectContaining({ kind: 'usage_over_report', count: 1 }),
      ]);
      expect(shown.faults[2]!.lastDetail).toHaveLength(256);
      expect((await store.nodeByPublicKey(node.publicKey))!.quarantinedAt).toBe(
        clock.toISOString(),
      );
    });

    it('is cleared by an operator, and 0 never quarantines', async () => {
      const node = await newNode();
      for (let i = 0; i < 4; i++) await store.recordNodeFault(node.id, 'no_output', 'none', 2);
      expect(await store.clearNodeFaults(node.id)).toBe(true);
      expect(await listed(node.id)).toMatchObject({ quarantinedAt: null, faults: [] });
      for (let i = 0; i < 3; i++) {
        expect(await store.recordNodeFault(node.id, 'stall', 's', 0)).toMatchObject({
          quarantined: false,
        });
      }
    });

    it('refuses unknown nodes, kinds and thresholds', async () => {
      expect(await store.recordNodeFault('node_missing', 'stall', 's', 3)).toBeNull();
      expect(await store.clearNodeFaults('node_missing')).toBe(false);
      const node = await newNode();
      await expect(store.recordNodeFault(node.id, 'bogus' as 'stall', 's', 3)).rejects.toThrow(
        /Unknown fault kind/,
      );
      await expect(store.recordNodeFault(node.id, 'stall', 's', -1)).rejects.toThrow(RangeError);
      expect((await listed(node.id)).faults).toEqual([]);
    });
  });
});
