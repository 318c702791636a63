// aws-local-stepfunctions 3.0.0 strips every backslash from the string an intrinsic function
// returns (meant for escaped literals in States.Format). That corrupts States.JsonToString
// whenever the JSON has an escaped quote, e.g. a DQDL rule `Completeness "title" > 0.95` inside
// the pipeline's outcome. AWS does not do this; the local twin must not either. Runs on install
// (postinstall), idempotently; the infra tests fail if the fix is missing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const BUGGY = 'if (typeof result === "string") {\n      result = result.replaceAll("\\\\", "");';
const FIXED =
  'if (typeof result === "string" && this.funcDefinition.name !== "States.JsonToString") {\n      result = result.replaceAll("\\\\", "");';

for (const file of ['main.node.esm.js', 'main.node.cjs']) {
  const path = `node_modules/aws-local-stepfunctions/build/${file}`;
  if (!existsSync(path)) continue;
  const source = readFileSync(path, 'utf8');
  if (source.includes(FIXED)) continue;
  if (!source.includes(BUGGY)) {
    console.warn(
      `patch-local-stepfunctions: ${path} has changed; check whether States.JsonToString still loses backslashes.`,
    );
    continue;
  }
  writeFileSync(path, source.replace(BUGGY, FIXED));
}
