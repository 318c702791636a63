/**
 * CompleteMultipartUpload's request, checked as S3 checks it: the body must be well-formed XML of
 * S3's schema (else MalformedXML), its parts in ascending order without repeats (else
 * InvalidPartOrder), each one uploaded and named by its ETag (else InvalidPart). Nothing is
 * assembled from a request that fails any of these.
 */
import { ApiError } from './http.ts';

export interface RequestedPart {
  readonly partNumber: number;
  readonly etag: string;
}

interface Element {
  readonly name: string;
  readonly children: Element[];
  text: string;
}

/** The optional elements of a Part besides PartNumber and ETag. */
const CHECKSUMS = new Set([
  'ChecksumCRC32',
  'ChecksumCRC32C',
  'ChecksumCRC64NVME',
  'ChecksumSHA1',
  'ChecksumSHA256',
]);

export const malformedXml = (): ApiError =>
  new ApiError(
    400,
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
  );

/** The parts a CompleteMultipartUpload body lists, in its order. */
export function requestedParts(body: string): RequestedPart[] {
  const root = parseXml(body);
  if (localName(root.name) !== 'CompleteMultipartUpload' || root.text.trim()) throw malformedXml();
  const parts = root.children.map((part) => {
    if (localName(part.name) !== 'Part' || part.text.trim()) throw malformedXml();
    const fields = new Map<string, string>();
    for (const field of part.children) {
      const name = localName(field.name);
      const known = name === 'PartNumber' || name === 'ETag' || CHECKSUMS.has(name);
      if (!known || fields.has(name) || field.children.length) throw malformedXml();
      fields.set(name, field.text.trim());
    }
    const number = fields.get('PartNumber');
    const etag = fields.get('ETag');
    if (number === undefined || !/^\d{1,9}$/.test(number) || etag === undefined) throw malformedXml();
    return { partNumber: Number(number), etag };
  });
  if (!parts.length) throw malformedXml();
  return parts;
}

/** The uploaded parts a request names, checked against what was uploaded. */
export function selectParts<P extends { readonly etag: string }>(
  uploaded: ReadonlyMap<number, P>,
  requested: readonly RequestedPart[],
): P[] {
  requested.forEach((p, i) => {
    if (i > 0 && p.partNumber <= requested[i - 1]!.partNumber)
      throw new ApiError(
        400,
        'InvalidPartOrder',
        'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
      );
  });
  return requested.map((p) => {
    const part = uploaded.get(p.partNumber);
    if (!part || unquoted(part.etag) !== unquoted(p.etag))
      throw new ApiError(
        400,
        'InvalidPart',
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.",
      );
    return part;
  });
}

const unquoted = (etag: string): string => etag.replace(/^"|"$/g, '').toLowerCase();
const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

/**
 * A strict reader for the little XML these bodies use: elements, attributes, text, entities,
 * CDATA, comments. No DTD (so no entity expansion), nothing after the root element.
 */
function parseXml(text: string): Element {
  let pos = 0;
  const fail = (): never => {
    throw malformedXml();
  };
  const space = /\s*/y;
  const skipSpace = (): void => {
    space.lastIndex = pos;
    space.exec(text);
    pos = space.lastIndex;
  };
  const skipMisc = (): void => {
    for (;;) {
      skipSpace();
      if (text.startsWith('<!--', pos)) {
        const end = text.indexOf('-->', pos + 4);
        if (end < 0) fail();
        pos = end + 3;
      } else if (text.startsWith('<?', pos) && !text.startsWith('<?xml', pos)) {
        const end = text.indexOf('?>', pos + 2);
        if (end < 0) fail();
        pos = end + 2;
      } else return;
    }
  };
  const name = /[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/y;
  const attribute = /\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*')/y;
  const element = (): Element => {
    if (text[pos] !== '<') fail();
    name.lastIndex = pos + 1;
    const m = name.exec(text) ?? fail();
    pos = name.lastIndex;
    for (;;) {
      attribute.lastIndex = pos;
      if (!attribute.exec(text)) break;
      pos = attribute.lastIndex;
    }
    skipSpace();
    const el: Element = { name: m[0], children: [], text: '' };
    if (text.startsWith('/>', pos)) {
      pos += 2;
      return el;
    }
    if (text[pos] !== '>') fail();
    pos++;
    for (;;) {
      const lt = text.indexOf('<', pos);
      if (lt < 0) fail();
      el.text += decodeEntities(text.slice(pos, lt));
      pos = lt;
      if (text.startsWith('</', pos)) {
        if (!text.startsWith(m[0], pos + 2)) fail();
        pos += 2 + m[0].length;
        skipSpace();
        if (text[pos] !== '>') fail();
        pos++;
        return el;
      }
      if (text.startsWith('<![CDATA[', pos)) {
        const end = text.indexOf(']]>', pos);
        if (end < 0) fail();
        el.text += text.slice(pos + 9, end);
        pos = end + 3;
      } else if (text.startsWith('<!--', pos)) {
        const end = text.indexOf('-->', pos + 4);
        if (end < 0) fail();
        pos = end + 3;
      } else el.children.push(element());
    }
  };
  if (text.startsWith('\ufeff')) pos = 1;
  const declaration = /<\?xml\s[^?]*\?>/y;
  declaration.lastIndex = pos;
  if (declaration.exec(text)) pos = declaration.lastIndex;
  skipMisc();
  const root = element();
  skipMisc();
  if (pos !== text.length) fail();
  return root;
}

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  if (raw.includes(']]>')) throw malformedXml();
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;]*);|&/g, (_, entity: string | undefined) => {
    if (entity !== undefined && Object.hasOwn(NAMED, entity)) return NAMED[entity]!;
    const code = /^#(?:x([0-9a-fA-F]{1,6})|(\d{1,7}))$/.exec(entity ?? '');
    const point = code ? parseInt(code[1] ?? code[2]!, code[1] ? 16 : 10) : NaN;
    if (!(point > 0 && point <= 0x10ffff)) throw malformedXml();
    return String.fromCodePoint(point);
  });
}
