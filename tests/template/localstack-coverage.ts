/**
 * What LocalStack community 4.14 would not really deploy from a template. Its CloudFormation engine
 * reports a type without a resource provider as created (a no-op "fallback") instead of failing, so a
 * deploy that succeeds says nothing about such resources; localstack/community-resource-types.json
 * lists the providers, read in LocalStack's source, and says where.
 */
import coverage from '../../localstack/community-resource-types.json' with { type: 'json' };
import type { TemplateDocument } from './spec-check.js';

const supported = new Set(coverage.supported);
const lacking = new Map(coverage.lacking.map(({ type, status }) => [type, status]));

/**
 * One problem per resource whose type community 4.14 has no provider for, or deploys without effect
 * (the `lacking` list). `accepted` names types the caller knowingly lets be no-ops there.
 */
export function checkLocalStackCoverage(template: Pick<TemplateDocument, 'Resources'>, accepted: readonly string[] = []): string[] {
  const problems: string[] = [];
  for (const [id, { Type }] of Object.entries(template.Resources)) {
    // LocalStack looks every Custom::* type up as AWS::CloudFormation::CustomResource.
    const type = Type.startsWith('Custom::') ? 'AWS::CloudFormation::CustomResource' : Type;
    if (accepted.includes(Type)) continue;
    const gap = lacking.get(type);
    if (gap) problems.push(`Resources.${id}: ${Type} on LocalStack community 4.14: ${gap}`);
    else if (!supported.has(type))
      problems.push(`Resources.${id}: ${Type} has no resource provider in LocalStack community 4.14 (a no-op there)`);
  }
  return problems;
}
