/**
 * What can be verified of the deploy path without an AWS account or a Docker engine: every stage
 * packages and `serverless package` exits (tests/template/global-setup.ts, bounded in time), its template
 * is valid against AWS's own resource specification, and the localstack stage asks LocalStack community
 * for nothing it lacks (localstack/community-resource-types.json).
 */
import { describe, expect, inject, it } from 'vitest';
import { checkLocalStackCoverage } from './localstack-coverage.js';
import { checkTemplateAgainstSpec } from './spec-check.js';
import { PACKAGED_STAGES } from './stages.js';
import { templateOf } from './templates.js';

describe.each(PACKAGED_STAGES)('stage $name', (stage) => {
  it('packages, and `serverless package` exits', () => {
    expect(inject('packagedSeconds')[stage.name]).toBeGreaterThan(0);
  });

  it("is valid against AWS's resource specification (types, properties, Ref, GetAtt, Sub, DependsOn)", async () => {
    expect(await checkTemplateAgainstSpec(await templateOf(stage))).toEqual([]);
  });

  if (stage.stage === 'localstack') {
    it(`uses only resource types LocalStack ${stage.authorizerMode === 'gateway' ? 'Pro' : 'community'} deploys`, async () => {
      // The Pro image has the API Gateway authorizer provider that community lacks.
      const accepted = stage.authorizerMode === 'gateway' ? ['AWS::ApiGateway::Authorizer'] : [];
      expect(checkLocalStackCoverage(await templateOf(stage), accepted)).toEqual([]);
    });
  }
});
