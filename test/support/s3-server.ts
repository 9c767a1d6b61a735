/**
 * A real S3-protocol server for tests: s3rver on a free loopback port, storing in a temp folder,
 * silent (S3RVER_LOUD=1 shows its log). It runs in a child process (see s3rver-child.mjs); clients
 * get path-style addressing and the credentials s3rver checks signatures with.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { S3Client } from '@aws-sdk/client-s3';

export interface TestS3 {
  endpoint: string;
  client: S3Client;
  close(): Promise<void>;
}

export async function startS3(buckets: readonly string[]): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'servicepulse-s3rver-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider',
      new URL('./s3rver-child.mjs', import.meta.url).pathname,
      directory,
      ...buckets,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout! });
  const early = exited.then(([code]) => {
    throw new Error(`s3rver exited early with code ${code}`);
  });
  early.catch(() => {}); // only the race below cares
  const first = await Promise.race([once(lines, 'line').then(([line]) => line as string), early]);
  const { port } = JSON.parse(first) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    endpoint,
    client,
    async close() {
      client.destroy();
      child.stdin!.end();
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}
