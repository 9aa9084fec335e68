/**
 * Every table outlives its stack: `DeletionPolicy: Retain` (a removed stack, or a resource dropped from the
 * template, leaves the data) and `UpdateReplacePolicy: Retain` (a change that makes CloudFormation replace the
 * table keeps the old one). The sessions table included: losing it ends every session and log-in counter.
 */
import { describe, expect, it } from 'vitest';
import { PACKAGED_STAGES } from './stages.js';
import { templateOf } from './templates.js';

describe.each(PACKAGED_STAGES)('tables of stage $name', (stage) => {
  it('are all retained on deletion and on replacement, the sessions table too', async () => {
    const template = await templateOf(stage);
    const tables = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table');
    expect(tables.map(([id]) => id)).toContain('UsersSessionsTable');
    const policies = tables.map(([id, resource]) => {
      const { DeletionPolicy, UpdateReplacePolicy } = resource as { DeletionPolicy?: string; UpdateReplacePolicy?: string };
      return { id, DeletionPolicy, UpdateReplacePolicy };
    });
    expect(policies).toEqual(tables.map(([id]) => ({ id, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' })));
  });
});
