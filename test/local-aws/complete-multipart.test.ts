import { describe, expect, it } from '@jest/globals';
import { requestedParts, selectParts } from '../../local-aws/complete-multipart.ts';

const uploaded = new Map([
  [1, { etag: '"aa"' }],
  [2, { etag: '"bb"' }],
]);

describe('the CompleteMultipartUpload body', () => {
  it('reads what the SDK and the AWS CLI send: a namespace, quoted ETags, checksums, entities', () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      '<Part><ETag>&quot;aa&quot;</ETag><PartNumber>1</PartNumber><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>\n' +
      '  <!-- a comment --><Part><PartNumber> 2 </PartNumber><ETag><![CDATA["bb"]]></ETag></Part>' +
      '</CompleteMultipartUpload>\n';
    expect(requestedParts(body)).toEqual([
      { partNumber: 1, etag: '"aa"' },
      { partNumber: 2, etag: '"bb"' },
    ]);
  });

  it.each([
    [
      'text after the root',
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>a</ETag></Part></CompleteMultipartUpload>x',
    ],
    [
      'a mismatched end tag',
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>a</ETag></Prt></CompleteMultipartUpload>',
    ],
    [
      'an unknown entity',
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&e;</ETag></Part></CompleteMultipartUpload>',
    ],
    [
      'an entity named like an object property',
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&constructor;</ETag></Part></CompleteMultipartUpload>',
    ],
    [
      'a bare ampersand',
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>a&b</ETag></Part></CompleteMultipartUpload>',
    ],
    [
      'two part numbers in one part',
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><PartNumber>2</PartNumber><ETag>a</ETag></Part></CompleteMultipartUpload>',
    ],
    [
      'a part number that is not a number',
      '<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber><ETag>a</ETag></Part></CompleteMultipartUpload>',
    ],
    ['another root element', '<Parts><Part><PartNumber>1</PartNumber><ETag>a</ETag></Part></Parts>'],
    [
      'text beside the parts',
      '<CompleteMultipartUpload>x<Part><PartNumber>1</PartNumber><ETag>a</ETag></Part></CompleteMultipartUpload>',
    ],
  ])('%s: MalformedXML', (_, body) => {
    expect(() => requestedParts(body)).toThrow(
      expect.objectContaining({ status: 400, code: 'MalformedXML' }),
    );
  });
});

describe('the parts a completion names', () => {
  it('are the uploaded ones, matched by ETag with or without quotes', () => {
    expect(
      selectParts(uploaded, [
        { partNumber: 1, etag: 'aa' },
        { partNumber: 2, etag: '"BB"' },
      ]),
    ).toEqual([uploaded.get(1), uploaded.get(2)]);
  });

  it('may skip a part number, as S3 allows', () => {
    expect(selectParts(uploaded, [{ partNumber: 2, etag: 'bb' }])).toEqual([uploaded.get(2)]);
  });

  it.each([
    ['a repeat', [1, 1], 'InvalidPartOrder'],
    ['descending numbers', [2, 1], 'InvalidPartOrder'],
    ['a number never uploaded', [1, 3], 'InvalidPart'],
  ])('%s: %s', (_, numbers, code) => {
    const etags: Record<number, string> = { 1: 'aa', 2: 'bb', 3: 'cc' };
    const requested = numbers.map((n) => ({ partNumber: n, etag: etags[n]! }));
    expect(() => selectParts(uploaded, requested)).toThrow(expect.objectContaining({ status: 400, code }));
  });

  it('an ETag that is not the part’s: InvalidPart', () => {
    expect(() => selectParts(uploaded, [{ partNumber: 1, etag: 'bb' }])).toThrow(
      expect.objectContaining({ code: 'InvalidPart' }),
    );
  });
});
