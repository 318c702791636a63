import { describe, expect, it } from '@jest/globals';
import { RateLimitedLog } from '../../bot/rate-limited-log.ts';

describe('a rate-limited log', () => {
  it('writes one line per kind a minute, and the next says how many were left out', () => {
    const lines: string[] = [];
    let now = 0;
    const log = new RateLimitedLog(
      (l) => lines.push(l),
      60_000,
      () => now,
    );
    log.log('signature', 'bad signature 1');
    log.log('signature', 'bad signature 2');
    log.log('topic', 'wrong topic');
    now = 59_999;
    log.log('signature', 'bad signature 3');
    expect(lines).toEqual(['bad signature 1', 'wrong topic']);
    now = 60_000;
    log.log('signature', 'bad signature 4');
    log.log('signature', 'bad signature 5');
    now = 120_000;
    log.log('signature', 'bad signature 6');
    log.log('topic', 'wrong topic again');
    expect(lines).toEqual([
      'bad signature 1',
      'wrong topic',
      'bad signature 4 (2 more like it not logged since the last one)',
      'bad signature 6 (1 more like it not logged since the last one)',
      'wrong topic again',
    ]);
  });
});
