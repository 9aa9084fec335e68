// Reads a stage's compiled template (packaged by tests/template/global-setup.ts).
import { join, resolve } from 'node:path';
import { loadTemplate, type CfnTemplate } from '../../local/cloudformation.js';
import { packageFolderOf, type PackagedStage } from './stages.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

export function templateOf(stage: PackagedStage): Promise<CfnTemplate> {
  return loadTemplate(join(ROOT, packageFolderOf(stage), 'cloudformation-template-update-stack.json'));
}
