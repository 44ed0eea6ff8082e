import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { parseOrThrow } from '../contracts/validation';

export type DynamicValue = string | number | boolean;

/** The shared dynamic config file both servers use (the production server reads it itself). */
export const dynamicConfigPath = join(import.meta.dirname, 'dynamic-config.yaml');

// One value per key, without constraints: the dev server's flag cannot express more.
const file = z.record(
  z.string().regex(/^[a-z]+\.[A-Za-z0-9.]+$/, 'must be a dynamic config key such as history.fooBar'),
  z
    .array(z.object({ value: z.union([z.string(), z.number(), z.boolean()]) }).strict(), {
      error: 'must be a list of one { value } without constraints',
    })
    .length(1, 'must hold exactly one value, without constraints'),
);

/** The project's dynamic config as key → value, read from `path` (the shared file by default). */
export function loadDynamicConfig(path = dynamicConfigPath): Record<string, DynamicValue> {
  const entries = parseOrThrow(file, parse(readFileSync(path, 'utf8')) ?? {});
  return Object.fromEntries(Object.entries(entries).map(([key, [entry]]) => [key, entry!.value]));
}
