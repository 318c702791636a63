/** Where things live in the data lake, and the pipeline's name: the same in AWS and in the local twin. */
export const PREFIXES = {
  input: 'input_data/',
  badData: 'bad_data/',
  archive: 'archive/',
  results: 'results/',
  scripts: 'scripts/',
} as const;

/** The pipeline's state machine name, in AWS and locally. */
export const PIPELINE_NAME = 'movies-pipeline';

/** The outcome topics' names, in AWS and locally: successes, and failures (the alert channel). */
export const TOPIC_NAMES = {
  success: 'movies-pipeline-success',
  failure: 'movies-pipeline-failure',
} as const;
