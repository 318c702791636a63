/**
 * The Glue job reads a drop split into byte ranges, each task knowing only its own bytes and a
 * small summary of the others. Whatever the cut, it must read what one reader reading the whole
 * file reads: every record, its line and fields, and the same first fault. Byte soup (quotes,
 * CR/LF, BOMs, multi-byte, invalid and NUL bytes) cut every few bytes.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';

const program = `
import json, random, sys
sys.path.insert(0, "infra/glue/lib")
import movies_csv as C

def read(data, split_bytes):
    read_range = lambda a, b: data[a:b]
    resolved, count, fault = C.scan_file(read_range, len(data), split_bytes)
    if fault:
        return ["fault", fault.reason, fault.line]
    return ["ok", count, [[r.offset, r.line, r.fields, r.defect] for s in resolved for r in C.records(read_range, s, len(data))]]

pieces = [b"a", b"b", b",", b'"', b'""', b"\\n", b"\\r", b"\\r\\n", b" ", b"x", "é".encode(), "€".encode(), "😀".encode(), C.BOM]
broken = [b"\\x00", b"\\xff", b"\\xc3", b"\\xa9", b"\\xe2\\x82"]
rng = random.Random(int(sys.argv[1]))
cases, disagreements, faults = 0, [], 0
for _ in range(int(sys.argv[2])):
    parts = [rng.choice(pieces) for _ in range(rng.randint(0, 80))]
    if rng.random() < 0.3:
        parts.insert(rng.randint(0, len(parts)), rng.choice(broken))
    data = b"".join(parts)
    whole = read(data, 1 << 30)
    faults += whole[0] == "fault"
    for split in (1, 2, 3, 4, 5, 7, 11, 16):
        cases += 1
        if read(data, split) != whole:
            disagreements.append({"data": data.decode("latin-1"), "split": split})
            break
print(json.dumps({"cases": cases, "faults": faults, "disagreements": disagreements[:3]}))
`;

describe('the Glue job’s split reader', () => {
  it.each([1, 2])('reads byte soup cut anywhere as one reader reads it whole (seed %i)', (seed) => {
    const r = spawnSync('python3', ['-B', '-c', program, String(seed), '1500'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { cases: number; faults: number; disagreements: unknown[] };
    expect(out.disagreements).toEqual([]);
    expect(out.cases).toBeGreaterThan(1500 * 8 * 0.9);
    // Both kinds of input are exercised: files that read and files with a fault.
    expect(out.faults).toBeGreaterThan(100);
    expect(out.faults).toBeLessThan(1500 - 100);
  });
});
