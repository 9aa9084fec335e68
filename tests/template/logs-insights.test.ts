/**
 * The saved query "a saga by correlation id" (resources/logs-insights.yml) names its log groups one by one (the
 * console runs a saved query only on the groups it names): every function's group must be there, so a new function
 * cannot drop out of it unnoticed. Read off the compiled template of stage dev; the localstack stage leaves it out.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../local/cloudformation.js';
import { PACKAGED_STAGES } from './stages.js';
import { templateOf } from './templates.js';

const stage = (name: string) => PACKAGED_STAGES.find((s) => s.name === name) as (typeof PACKAGED_STAGES)[number];

describe('the Logs Insights query of a saga', () => {
  let dev: CfnTemplate;
  let localstack: CfnTemplate;
  beforeAll(async () => {
    [dev, localstack] = await Promise.all([templateOf(stage('dev')), templateOf(stage('localstack'))]);
  });

  it("reads every function's log group, and filters on the correlation id", () => {
    const query = dev.Resources.SagaByCorrelationIdQuery;
    expect(query?.Type).toBe('AWS::Logs::QueryDefinition');
    const named = ((query?.Properties?.LogGroupNames as Array<{ Ref?: string }>) ?? []).map((group) => group.Ref).sort();
    const logGroups = Object.entries(dev.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::Logs::LogGroup')
      .map(([id]) => id)
      .sort();
    expect(logGroups.length).toBeGreaterThan(30);
    expect(named).toEqual(logGroups);
    expect(String(query?.Properties?.QueryString)).toContain('correlationId');
  });

  it('is left out of the localstack stage, which cannot create it', () => {
    expect(Object.values(localstack.Resources).some((resource) => resource.Type === 'AWS::Logs::QueryDefinition')).toBe(false);
  });
});
