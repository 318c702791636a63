import { describe, expect, it } from '@jest/globals';
import { checkKeyLength, s3Target, validBucketName } from '../../local-aws/s3-target.ts';

describe('the bucket and key of a raw S3 request target', () => {
  it.each([
    ['/b/input_data/../bad_data/x', 'b', 'input_data/../bad_data/x'],
    ['/b/a/%2e%2e/c', 'b', 'a/../c'],
    ['/b/./x', 'b', './x'],
    ['/b//double//slash', 'b', '/double//slash'],
    ['/b/%2541', 'b', '%41'],
    ['/b/a+b', 'b', 'a+b'],
    ['/b/%E2%82%AC?x-id=PutObject', 'b', '€'],
    ['/%2e%2e/x', '..', 'x'],
    ['/b', 'b', ''],
    ['/b/', 'b', ''],
    ['http://127.0.0.1:4566/b/k', 'b', 'k'],
  ])('%s: bucket %s, key %s', (target, bucket, key) => {
    expect(s3Target(target)).toMatchObject({ bucket, key });
  });

  it('keeps the query', () => {
    expect(s3Target('/b/k?uploadId=u&partNumber=2').query.get('partNumber')).toBe('2');
  });

  it.each(['/b/%zz', '/b/%E2%82', 'b/k'])('%s: InvalidURI', (target) => {
    expect(() => s3Target(target)).toThrow(expect.objectContaining({ status: 400, code: 'InvalidURI' }));
  });
});

describe('S3 names', () => {
  it('a key may have 1,024 bytes of UTF-8, not one more', () => {
    expect(() => checkKeyLength('é'.repeat(512))).not.toThrow();
    expect(() => checkKeyLength(`${'é'.repeat(512)}x`)).toThrow(
      expect.objectContaining({ status: 400, code: 'KeyTooLongError', message: 'Your key is too long' }),
    );
  });

  it.each(['movies-gds', 'a.b-c', '123'])('%s is a bucket name', (name) => {
    expect(validBucketName(name)).toBe(true);
  });

  it.each(['..', '.', 'ab', 'Upper', 'a..b', '-ab', 'ab-', '192.168.0.1', 'a/b', 'a'.repeat(64)])(
    '%s is not',
    (name) => {
      expect(validBucketName(name)).toBe(false);
    },
  );
});
