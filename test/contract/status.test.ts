import { describe, expect, it } from '@jest/globals';
import { fails, FAIL_ON, STATUS_ICON, worstStatus, type DropStatus } from '../../contract/status.ts';

describe('statuses', () => {
  it.each([
    ['quality', 'PARTIAL', false],
    ['quality', 'QUALITY_FAILED', true],
    ['quality', 'TIMEOUT', true],
    ['partial', 'PARTIAL', true],
    ['error', 'QUALITY_FAILED', false],
    ['error', 'FAILED', true],
    ['never', 'FAILED', false],
  ] as const)('fail-on %s with %s fails: %s', (failOn, status, failed) => {
    expect(fails(status, failOn)).toBe(failed);
  });

  it('fail per fail-on: from PARTIAL, a rejected batch, an error or timeout, or never', () => {
    const failing = Object.fromEntries(
      FAIL_ON.map((failOn) => [
        failOn,
        (Object.keys(STATUS_ICON) as DropStatus[]).filter((s) => fails(s, failOn)),
      ]),
    );
    expect(failing).toEqual({
      quality: ['QUALITY_FAILED', 'FAILED', 'TIMEOUT'],
      partial: ['PARTIAL', 'QUALITY_FAILED', 'FAILED', 'TIMEOUT'],
      error: ['FAILED', 'TIMEOUT'],
      never: [],
    });
  });

  it('reports the worst status', () => {
    expect(worstStatus([])).toBe('SUCCEEDED');
    expect(worstStatus(['SUCCEEDED', 'PARTIAL', 'SUCCEEDED'])).toBe('PARTIAL');
    expect(worstStatus(['QUALITY_FAILED', 'TIMEOUT', 'PARTIAL'])).toBe('TIMEOUT');
    expect(worstStatus(['DRY_RUN', 'UPLOADED'])).toBe('UPLOADED');
  });
});
