import { describe, expect, it } from '@jest/globals';
import { keyFor } from '../../drop-client/drop.ts';

describe('drop keys', () => {
  it('are the prefix plus the path under data/', () => {
    expect(keyFor('data/2024/q1.csv', 'input_data/')).toBe('input_data/2024/q1.csv');
    expect(keyFor('./data/q1.csv', 'input_data')).toBe('input_data/q1.csv');
    expect(keyFor('drops/q1.csv', 'input_data/')).toBe('input_data/drops/q1.csv');
  });
});
