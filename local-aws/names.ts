/** The local twin's fixed names: light to import (no CDK), for the CLI and clients. */
import { PIPELINE_NAME } from '../contract/lake.ts';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_BUCKET = 'movies-gds';
export const DEFAULT_PORT = 4566;
export const LOCAL_STATE_MACHINE_ARN = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${PIPELINE_NAME}`;
