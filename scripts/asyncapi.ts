// `npm run asyncapi [-- <file>]`: writes the events' description (AsyncAPI 3.1) for tools (code generators,
// viewers, linters): the same document GET /asyncapi.json serves, generated from the event contracts.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { asyncApiDocument } from '../functions/shared/events/asyncapi.js';
import { loadEventExamples } from '../functions/shared/events/asyncapi-examples.js';
import packageJson from '../package.json' with { type: 'json' };

const { positionals } = parseArgs({ allowPositionals: true });
const file = positionals[0] ?? 'asyncapi.json';
writeFileSync(file, `${JSON.stringify(asyncApiDocument({ version: packageJson.version, examples: loadEventExamples() }), null, 2)}\n`);
console.log(`Wrote ${file} (AsyncAPI 3.1)`);
