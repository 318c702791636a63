/**
 * The state machine's Task state names, the phases they belong to, and the states where a run
 * leaves the happy path: the CDK app names its states with these, the local twin attaches its
 * handlers by them, and the Action's report groups an execution's path by phase.
 */
export const STATES = {
  describeDrop: 'Describe drop',
  startInputCrawler: 'Start input crawler',
  getInputCrawler: 'Get input crawler',
  startWarehouseCrawler: 'Start warehouse crawler',
  getWarehouseCrawler: 'Get warehouse crawler',
  runEtl: 'Run ETL job',
  readResults: 'Read ETL results',
  refreshViews: 'Refresh views',
  getRefresh: 'Get refresh status',
  copyToArchive: 'Copy input to archive',
  deleteInput: 'Delete input',
  publishSuccess: 'Publish success',
  publishQuality: 'Publish quality alert',
  publishFailure: 'Publish failure alert',
  /** Where a rejected batch leaves the happy path. */
  buildQualityOutcome: 'Build quality outcome',
  /** Where every failure leaves it, from whichever phase failed. */
  buildFailureOutcome: 'Build failure outcome',
} as const;

export type PhaseName = 'Describe' | 'Crawl' | 'Check and load' | 'Refresh views' | 'Archive' | 'Publish';

/** The happy path, phase by phase, and the Task states that start or run in each. */
export const PHASES: readonly { readonly name: PhaseName; readonly states: readonly string[] }[] = [
  { name: 'Describe', states: [STATES.describeDrop] },
  {
    name: 'Crawl',
    states: [
      STATES.startInputCrawler,
      STATES.getInputCrawler,
      STATES.startWarehouseCrawler,
      STATES.getWarehouseCrawler,
    ],
  },
  { name: 'Check and load', states: [STATES.runEtl, STATES.readResults] },
  { name: 'Refresh views', states: [STATES.refreshViews, STATES.getRefresh] },
  { name: 'Archive', states: [STATES.copyToArchive, STATES.deleteInput] },
  { name: 'Publish', states: [STATES.publishSuccess] },
];

const PHASE_OF = new Map(PHASES.flatMap((p) => p.states.map((s) => [s, p.name] as const)));
const OFF_THE_HAPPY_PATH = new Set<string>([STATES.buildQualityOutcome, STATES.buildFailureOutcome]);

/**
 * The last phase of the happy path a run entered before it left it (null: none yet), from the
 * states it entered, in order. Only Task states name a phase: the others (choices, waits, the
 * failure bookkeeping) belong to the phase before them.
 */
export function lastPhase(path: readonly string[]): PhaseName | null {
  let last: PhaseName | null = null;
  for (const state of path) {
    if (OFF_THE_HAPPY_PATH.has(state)) break;
    last = PHASE_OF.get(state) ?? last;
  }
  return last;
}
