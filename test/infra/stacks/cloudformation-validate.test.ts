/**
 * AWS's own offline CloudFormation validator (schemas, intrinsic functions, region availability,
 * best practices) on every way the app is synthesized: not one error or warning.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { CelEngine, TemplateFile, version } from '@aws/cloudformation-validate';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synth, type EnvironmentName } from './synth.ts';

const engine = new CelEngine();
const dir = mkdtempSync(join(tmpdir(), 'movies-cfn-validate-'));
afterAll(() => {
  engine.free();
  rmSync(dir, { recursive: true, force: true });
});

interface Finding {
  severity: string;
  ruleId: string;
  entity?: { logicalId?: string };
  propertyPath?: string;
  message: string;
}

function validate(name: EnvironmentName, region: string): Finding[] {
  const file = join(dir, `${name}-${region}.template.json`);
  writeFileSync(file, JSON.stringify(synth(name).json));
  const report = engine.validateStandard(new TemplateFile(file), {
    severityLevel: 'INFO',
    strict: true,
    pseudoParameterOverrides: { accountId: '123456789012', region },
  });
  return report.diagnostics as Finding[];
}

describe(`AWS CloudFormation Validate ${version()}`, () => {
  // The environment-agnostic template is what CI synthesizes; it must deploy to either kind of region.
  it.each([
    ['agnostic', 'eu-west-1'],
    ['agnostic', 'us-west-1'],
    ['eu-west-1', 'eu-west-1'],
    ['us-west-1', 'us-west-1'],
  ] as [EnvironmentName, string][])(
    'finds no error or warning in the %s template deployed to %s',
    (name, region) => {
      const findings = validate(name, region);
      const serious = findings
        .filter((d) => d.severity !== 'INFO' && d.severity !== 'DEBUG')
        .map(
          (d) =>
            `${d.severity} ${d.ruleId} ${d.entity?.logicalId ?? ''} ${d.propertyPath ?? ''}: ${d.message}`,
        );
      expect(serious).toEqual([]);
      // Informational findings are CDK's own rendering (Fn::Join over Fn::Sub, untagged helpers): counted, not hidden.
      const info = new Map<string, number>();
      for (const d of findings) info.set(d.ruleId, (info.get(d.ruleId) ?? 0) + 1);
      process.stdout.write(
        `cloudformation-validate ${name}@${region}: 0 errors, 0 warnings, ${findings.length} informational (${[...info].map(([r, n]) => `${r}×${n}`).join(', ')})\n`,
      );
    },
  );
});
