// `npm run openapi [-- <file>] [--server <url>]`: writes the API description (OpenAPI 3.1) for tools
// (client generators, linters, mock servers). The same document GET /openapi.json serves.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { apiDescription } from '../functions/platform/api-description.js';
import packageJson from '../package.json' with { type: 'json' };

const { values, positionals } = parseArgs({
  options: { server: { type: 'string', default: 'http://127.0.0.1:3000' } },
  allowPositionals: true,
});
const file = positionals[0] ?? 'openapi.json';
writeFileSync(file, `${JSON.stringify(apiDescription(values.server, packageJson.version), null, 2)}\n`);
console.log(`Wrote ${file} (OpenAPI 3.1, server ${values.server})`);
