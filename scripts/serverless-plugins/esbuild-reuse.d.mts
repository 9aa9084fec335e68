// Types for the plugin (the plugin itself is plain JS: Serverless loads it as is).
export const RECORD_FILE: string;
export default class EsbuildReuse {
  constructor(serverless: unknown, options?: unknown, utils?: unknown);
}
