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
