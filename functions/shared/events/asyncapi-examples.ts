/**
 * The committed example of each event (examples/<type>.json, relative to the repository root and alike to a
 * function's package root, which ships them: functions/platform/functions.yml), for the AsyncAPI document.
 * An event without a file has no example; the document's tests require one for every event.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventDataSchemas, type EventType, type OutgoingEvent } from './contracts.js';

export const EXAMPLES_DIR = 'functions/shared/events/examples';

export function loadEventExamples(root: string = process.cwd()): Partial<Record<EventType, OutgoingEvent>> {
  const examples: Partial<Record<EventType, OutgoingEvent>> = {};
  for (const type of Object.keys(eventDataSchemas) as EventType[]) {
    const file = join(root, EXAMPLES_DIR, `${type}.json`);
    if (existsSync(file)) examples[type] = JSON.parse(readFileSync(file, 'utf8')) as OutgoingEvent;
  }
  return examples;
}
