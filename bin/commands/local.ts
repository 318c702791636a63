/** `movies local`: run the local twin of the AWS side until interrupted. */
import { startTwin, TwinStartError } from '../../infra/local/twin.ts';
import type { Io } from '../cli.ts';

export async function local(options: { port: number; dataDir: string }, io: Io): Promise<number> {
  io.stdout.write('Starting the local twin (synthesizing the CDK app, opening the warehouse)...\n');
  let twin;
  try {
    twin = await startTwin({ port: options.port, dataDir: options.dataDir });
  } catch (err) {
    if (!(err instanceof TwinStartError)) throw err;
    io.stderr.write(`movies: ${err.message}\n`);
    return 2;
  }
  io.stdout.write(
    [
      `movies-gds local twin on ${twin.endpoint} (data in ${options.dataDir})`,
      `  bucket          ${twin.bucket}`,
      `  state machine   ${twin.stateMachineArn}`,
      `  topics          ${twin.topics.success}`,
      `                  ${twin.topics.failure}`,
      '',
      'Point AWS SDKs and the AWS CLI at it:',
      ...Object.entries(twin.env).map(([k, v]) => `  export ${k}=${v}`),
      '',
      `Drop a file:  aws s3 cp data/clean/movies_2024_q1.csv s3://${twin.bucket}/input_data/`,
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  io.stdout.write('Stopping (waiting for running executions)...\n');
  await twin.stop();
  return 0;
}
