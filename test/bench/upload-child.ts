/** Child process of the Action benchmark: one upload of a file to the twin, our way or as one PutObject. */
import '../../cli/node-warnings.ts';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createReadStream, statSync } from 'node:fs';
import { uploadDrop } from '../../drop-client/upload.ts';

const [how, file, endpoint, key] = process.argv.slice(2) as [string, string, string, string];
const s3 = new S3Client({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  forcePathStyle: true,
});
const started = performance.now();
if (how === 'ours') await uploadDrop(s3, file, 'movies-gds', key, { actor: 'bench' });
else
  await s3.send(
    new PutObjectCommand({
      Bucket: 'movies-gds',
      Key: key,
      Body: createReadStream(file),
      ContentLength: statSync(file).size,
      ContentType: 'text/csv',
    }),
  );
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({ seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
