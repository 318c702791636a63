/** The bot as an HTTP server (`movies bot`, or beside the local twin in `npm start`). */
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import type { Logger } from '@slack/bolt';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeAwsError } from '../contract/aws-error.ts';
import { createApp } from './app.ts';
import type { BotConfig } from './config.ts';

/** The bot could not start (a busy port, an unreachable SNS): one sentence for the user. */
export class BotStartError extends Error {}

export interface RunningBot {
  readonly port: number;
  /** The /sns endpoint it subscribed to the topics, when it did. */
  readonly subscribedAt?: string;
  /** Where it listens, as bound: http://127.0.0.1:3000, or http://0.0.0.0:3000 on every interface. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Start the bot, on config.host (loopback unless BOT_HOST says otherwise). `endpoint` reaches the local
 * twin; with `subscribe`, the bot subscribes its own /sns route to the topics (at BOT_PUBLIC_URL, or
 * where it listens when that is not set). `logger`
 * replaces Bolt's console logger for everything the bot logs.
 */
export async function startBot(
  config: BotConfig,
  options: { endpoint?: string; subscribe?: boolean; logger?: Logger } = {},
): Promise<RunningBot> {
  const endpoint = options.endpoint;
  const aws = { region: config.region, ...(endpoint ? { endpoint } : {}) };
  const sns = new SNSClient(aws);
  const { app, close } = createApp(
    config,
    {
      s3: new S3Client({ ...aws, forcePathStyle: Boolean(endpoint) }),
      redshift: new RedshiftDataClient(aws),
      sfn: new SFNClient(aws),
      sns,
    },
    options.logger,
  );
  let server: Server;
  try {
    server = (await app.start({ port: config.port, host: config.host })) as Server;
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new BotStartError(
      code === 'EADDRINUSE'
        ? `Port ${config.port} is already in use; stop what uses it or pick another with PORT.`
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
          ? `The bot could not listen on ${config.host}: it is not an address of this machine; fix BOT_HOST.`
          : `The bot could not listen on ${config.host} port ${config.port}: ${(err as Error).message}`,
    );
  }
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const subscribe = config.publicUrl || options.subscribe;
  // On every interface, the twin reaches it on loopback.
  const local = ['0.0.0.0', '::'].includes(address) ? `http://127.0.0.1:${port}` : url;
  const target = `${config.publicUrl ?? local}/sns`;
  if (subscribe) {
    for (const TopicArn of config.topicArns) {
      try {
        await sns.send(
          new SubscribeCommand({
            TopicArn,
            Protocol: target.startsWith('https:') ? 'https' : 'http',
            Endpoint: target,
          }),
        );
      } catch (err) {
        await app.stop();
        await close();
        throw new BotStartError(`The bot could not subscribe to ${TopicArn}: ${describeAwsError(err)}`);
      }
    }
  }
  return {
    port,
    url,
    ...(subscribe ? { subscribedAt: target } : {}),
    stop: async () => {
      await app.stop();
      await close();
    },
  };
}
