// Runs s3rver for the tests in a child process. It needs `--openssl-legacy-provider`: s3rver signs
// ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only offers through that provider.
// argv: <directory> <bucket>... ; prints {"port": n} once listening; exits when stdin closes.
import S3rver from 's3rver';

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: !process.env.S3RVER_LOUD,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await server.close();
  process.exit(0);
});
