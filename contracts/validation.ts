import type { z } from 'zod';

/** One refused field: its dotted path (or a placeholder for the whole value) and the rule it broke. */
export interface FieldError {
  path: string;
  message: string;
}

/** The failing fields of a zod error; `root` names the value itself when a rule applies to all of it. */
export function fieldErrors(error: z.ZodError, root = '(input)'): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.length > 0 ? i.path.join('.') : root, message: i.message }));
}

/** `path: rule; path: rule`, the one wording of a refusal at every edge. */
export function describeFields(fields: readonly FieldError[]): string {
  return fields.map((f) => `${f.path}: ${f.message}`).join('; ');
}

/**
 * Input refused at an edge (client, HTTP, CLI, workflow input) before anything changed;
 * `fields` name each bad field and its rule. Never retried.
 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    readonly fields: FieldError[],
    readonly what = 'input',
  ) {
    super(`invalid ${what}: ${describeFields(fields)}`);
  }
}

/** Parses `value` with `schema`, or throws a ValidationError listing every failing field. */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what = 'input',
  root = '(input)',
): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(fieldErrors(result.error, root), what);
}
