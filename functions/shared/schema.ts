// zod/mini rather than classic zod: the classic build pulls every locale into each bundle (~420 KB
// minified); mini tree-shakes to ~15 KB. Import as `import * as z from '.../schema.js'`.
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
