/**
 * The last touch on the synthesized template. CDK makes a Lambda function or a state machine
 * depend on its own role, which the function's `Fn::GetAtt` of that role already orders;
 * CloudFormation's validator warns about each one (W3005). Those entries are dropped; every
 * other DependsOn is kept.
 */

interface Resource {
  DependsOn?: string | string[];
  Properties?: unknown;
}

export function dropImpliedDependsOn<T extends { Resources?: Record<string, Resource> }>(template: T): T {
  for (const resource of Object.values(template.Resources ?? {})) {
    if (resource.DependsOn === undefined) continue;
    const referenced = referencedIds(resource.Properties);
    const kept = [resource.DependsOn].flat().filter((id) => !referenced.has(id));
    if (kept.length) resource.DependsOn = kept;
    else delete resource.DependsOn;
  }
  return template;
}

/** The logical ids a value names through Ref, Fn::GetAtt or Fn::Sub: CloudFormation orders by these. */
function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) referencedIds(v, into);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string') into.add(v);
      else if (key === 'Fn::GetAtt' && Array.isArray(v)) into.add(String(v[0]));
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        for (const m of String(text).matchAll(/\$\{([^}.!]+)[^}]*\}/g)) into.add(m[1]!);
        if (Array.isArray(v)) referencedIds(v[1], into);
      } else referencedIds(v, into);
    }
  }
  return into;
}
