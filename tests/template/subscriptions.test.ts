/**
 * Routing tied to the contracts: each queue consumer's bus rule delivers exactly the detail-types the
 * consumer accepts (functions/shared/events/contracts.ts `subscriptions`), from their sources, on the
 * stage's bus. Read off the compiled template of stage dev.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { eventSources, subscriptions } from '../../functions/shared/events/contracts.js';
import type { CfnTemplate } from '../../local/cloudformation.js';
import { PACKAGED_STAGES } from './stages.js';
import { templateOf } from './templates.js';

let template: CfnTemplate;
beforeAll(async () => {
  template = await templateOf(PACKAGED_STAGES.find((stage) => stage.name === 'dev') as (typeof PACKAGED_STAGES)[number]);
});

const logicalIdOf = (value: unknown) =>
  (value as { Ref?: string }).Ref ?? (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];

describe.each(Object.entries(subscriptions))('consumer %s', (functionName, accepted) => {
  it('is fed by one queue whose bus rule routes exactly the event types it accepts', () => {
    const functionId = `${functionName.charAt(0).toUpperCase()}${functionName.slice(1)}LambdaFunction`;
    const mappings = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::EventSourceMapping' && logicalIdOf(r.Properties?.FunctionName) === functionId,
    );
    expect(mappings).toHaveLength(1);
    const queueId = logicalIdOf(mappings[0]?.Properties?.EventSourceArn);
    expect(template.Resources[queueId as string]?.Type).toBe('AWS::SQS::Queue');

    const rules = Object.values(template.Resources).filter(
      (r) =>
        r.Type === 'AWS::Events::Rule' &&
        ((r.Properties?.Targets as Array<{ Arn: unknown }> | undefined) ?? []).some((target) => logicalIdOf(target.Arn) === queueId),
    );
    expect(rules).toHaveLength(1);
    const pattern = rules[0]?.Properties?.EventPattern as { source?: string[]; 'detail-type'?: string[] };
    expect([...(pattern['detail-type'] ?? [])].sort()).toEqual([...accepted].sort());
    expect([...new Set(pattern.source)].sort()).toEqual([...new Set(accepted.map((type) => eventSources[type]))].sort());
  });
});
