// Stays on the stand-in: refusals with scripted bodies and answers that are not enrollments (the real gateway never sends them), and the LAN-address trick of "plain http:// to another machine"; normal enrollments run on the real in-process gateway.
/**
 * Enrollment against the real gateway (in-process, in-memory store, port 0) and against a
 * stand-in HTTP gateway for scripted answers; and the enrollment file on disk.
 */
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  enroll,
  EnrollmentError,
  EnrollmentFileError,
  ENROLLMENT_FILE,
  readEnrollment,
} from '../../main/engine/link/enrollment.js';
import { isSpentCodeError } from '../../common/errorCodes.js';
import { GatewayURLError } from '../../main/engine/link/gatewayURL.js';
import { loadOrCreateIdentity, NODE_KEY_FILE } from '../../main/engine/link/identity.js';
import { LinkClient } from '../../main/engine/link/linkClient.js';
import { startTestGateway, type TestGateway } from '../gateway-link/support/testGateway.js';
import { StandIn, type EnrollHandler } from '../support/standInGateway.js';

let dataDir: string;
const closers: (() => Promise<void>)[] = [];
/** The real gateway, shared by the tests of normal enrollments. */
let real: TestGateway;

beforeAll(async () => {
  real = await startTestGateway();
});

afterAll(async () => {
  await real?.close();
});

/** A fresh single-use enrollment code for the real gateway's node organization. */
const newCode = async () => (await real.gateway.store.createEnrollmentCode(real.nodeOrgId)).code;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'byoi-enroll-'));
});

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function gateway(enrollHandler?: EnrollHandler): Promise<StandIn> {
  const standIn = await StandIn.start({ enroll: enrollHandler });
  closers.push(() => standIn.close());
  return standIn;
}

describe('enroll', () => {
  it('sends the code and public key, then writes enrollment.json', async () => {
    const code = await newCode();
    const enrollment = await enroll({
      gatewayURL: `${real.gateway.url}/`,
      code,
      dataDir,
      name: 'rig',
    });
    const identity = await loadOrCreateIdentity(dataDir);
    // The gateway enrolled this key, under the code's organization and the given name.
    const node = await real.gateway.store.nodeByPublicKey(identity.publicKey);
    expect(node).toMatchObject({ orgId: real.nodeOrgId, name: 'rig', revokedAt: null });
    expect(enrollment).toEqual({
      gatewayURL: real.gateway.url,
      nodeId: node!.id,
      orgId: real.nodeOrgId,
      gatewayPublicKey: real.gateway.publicKey,
      enrolledAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const path = join(dataDir, ENROLLMENT_FILE);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(enrollment);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await readEnrollment(dataDir)).toEqual(enrollment);
  });

  it('keeps the previous enrollment when enrolling again', async () => {
    const gatewayURL = real.gateway.url;
    const first = await enroll({ gatewayURL, code: await newCode(), dataDir });
    // As the node-key-in-use advice says: the old key aside, a new node enrolls.
    renameSync(join(dataDir, NODE_KEY_FILE), join(dataDir, `${NODE_KEY_FILE}.aside`));
    const second = await enroll({ gatewayURL, code: await newCode(), dataDir });
    expect(second.nodeId).not.toBe(first.nodeId);
    const backups = readdirSync(dataDir).filter((name) => name.endsWith('.bak'));
    expect(backups).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(dataDir, backups[0]!), 'utf8'))).toEqual(first);
  });

  it("shows the gateway's message when it refuses, and writes nothing", async () => {
    const standIn = await gateway(() => ({
      status: 403,
      body: {
        error: { message: 'This enrollment code has expired', type: 'invalid_request_error' },
      },
    }));
    const attempt = enroll({ gatewayURL: standIn.url, code: 'old', dataDir });
    await expect(attempt).rejects.toThrow(EnrollmentError);
    await expect(attempt).rejects.toThrow(
      'the gateway refused the enrollment: This enrollment code has expired',
    );
    await expect(attempt).rejects.toMatchObject({ status: 403 });
    expect(await readEnrollment(dataDir)).toBeNull();
  });

  it('explains a key that is enrolled already', async () => {
    const gatewayURL = real.gateway.url;
    const first = await enroll({ gatewayURL, code: await newCode(), dataDir });
    const attempt = enroll({ gatewayURL, code: await newCode(), dataDir });
    await expect(attempt).rejects.toThrow(
      /already enrolled \(this key is enrolled already: .*node-key\.pem aside to enroll as a new node\)/,
    );
    await expect(attempt).rejects.toMatchObject({ status: 409, code: 'node_key_in_use' });
    expect(await readEnrollment(dataDir)).toEqual(first);
  });

  it("keeps the gateway's code for a spent enrollment code, so the app can make a fresh one", async () => {
    const code = await newCode();
    await enroll({ gatewayURL: real.gateway.url, code, dataDir });
    const other = mkdtempSync(join(tmpdir(), 'byoi-enroll-other-'));
    try {
      const refusal = await enroll({ gatewayURL: real.gateway.url, code, dataDir: other }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(EnrollmentError);
      expect(refusal).toMatchObject({ status: 409, code: 'enrollment_code_used' });
      expect(isSpentCodeError((refusal as EnrollmentError).code)).toBe(true);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it.each([
    [{ status: 502, body: '<html>bad gateway</html>' }, /refused the enrollment: HTTP 502/],
    [{ status: 200, body: { nodeId: 'n' } }, /answer is not an enrollment/],
    [{ status: 200, body: 'not json' }, /answer is not an enrollment/],
  ])('explains an answer that is not an enrollment (%#)', async (answer, message) => {
    const standIn = await gateway(() => answer);
    await expect(enroll({ gatewayURL: standIn.url, code: 'c', dataDir })).rejects.toThrow(message);
    expect(await readEnrollment(dataDir)).toBeNull();
  });

  it('says when the gateway cannot be reached', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    await expect(
      enroll({ gatewayURL: `http://127.0.0.1:${port}`, code: 'c', dataDir }),
    ).rejects.toThrow(/could not reach the gateway at http:\/\/127\.0\.0\.1:\d+\/v1\/node\/enroll/);
  });

  it('refuses a gateway URL that is not http(s)', async () => {
    await expect(enroll({ gatewayURL: 'ws://127.0.0.1:1', code: 'c', dataDir })).rejects.toThrow(
      /http:\/\/ or https:\/\//,
    );
  });
});

describe('plain http:// to another machine', () => {
  /** A gateway "on the LAN": requests to it are delivered to the stand-in on loopback. */
  const lanGateway = 'http://192.168.77.5:8787';
  const viaStandIn = (standIn: StandIn, calls: string[]) =>
    ((url: string | URL | Request, init?: RequestInit) => {
      calls.push(String(url));
      return fetch(String(url).replace(lanGateway, standIn.url), init);
    }) as typeof fetch;

  it('is refused before anything is sent, and names the way out', async () => {
    const standIn = await gateway();
    const calls: string[] = [];
    await expect(
      enroll({ gatewayURL: lanGateway, code: 'c', dataDir, fetch: viaStandIn(standIn, calls) }),
    ).rejects.toThrow(/plain http:\/\/ on another machine.*https:\/\/.*--insecure/);
    expect(calls).toEqual([]);
    expect(await readEnrollment(dataDir)).toBeNull();
  });

  it('enrolls with insecure, and the enrollment remembers that the user allowed it', async () => {
    const standIn = await gateway();
    const calls: string[] = [];
    const enrollment = await enroll({
      gatewayURL: lanGateway,
      code: 'c',
      dataDir,
      insecure: true,
      fetch: viaStandIn(standIn, calls),
    });
    expect(calls).toEqual([`${lanGateway}/v1/node/enroll`]);
    expect(enrollment).toMatchObject({ gatewayURL: lanGateway, insecure: true });
    expect(await readEnrollment(dataDir)).toMatchObject({ insecure: true });
  });

  it('the link refuses it too, unless the user allowed it', async () => {
    const options = {
      gatewayURL: lanGateway,
      identity: await loadOrCreateIdentity(dataDir),
      models: [],
      hardware: { summary: 'test rig', backend: 'cpu' },
    };
    expect(() => new LinkClient(options)).toThrow(GatewayURLError);
    expect(() => new LinkClient({ ...options, insecure: true })).not.toThrow();
  });

  it('needs no flag for a gateway on this machine', async () => {
    const enrollment = await enroll({
      gatewayURL: real.gateway.url,
      code: await newCode(),
      dataDir,
    });
    expect(enrollment.insecure).toBeUndefined();
  });
});

describe('readEnrollment', () => {
  it('is null when the node is not enrolled', async () => {
    expect(await readEnrollment(dataDir)).toBeNull();
  });

  it.each([
    ['{ not json', /not valid JSON/],
    [
      JSON.stringify({
        gatewayURL: 'http://g',
        nodeId: 'n',
        orgId: 'o',
        enrolledAt: '2025-01-01T00:00:00Z',
      }),
      /gatewayPublicKey/,
    ],
    [
      JSON.stringify({
        gatewayURL: 'ftp://g',
        nodeId: 'n',
        orgId: 'o',
        gatewayPublicKey: 'AA==',
        enrolledAt: '2025-01-01T00:00:00Z',
      }),
      /gatewayURL/,
    ],
  ])('refuses a corrupt file and leaves it untouched (%#)', async (content, message) => {
    const path = join(dataDir, ENROLLMENT_FILE);
    writeFileSync(path, content);
    await expect(readEnrollment(dataDir)).rejects.toThrow(EnrollmentFileError);
    await expect(readEnrollment(dataDir)).rejects.toThrow(message);
    expect(readFileSync(path, 'utf8')).toBe(content);
  });
});
