import type { z } from 'zod';

/** Input refused at the edge, before any workflow starts; `fields` name each bad field and its rule. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(readonly fields: { path: string; message: string }[]) {
    super(`invalid input: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`);
  }
}

/** Parses `value` or throws a ValidationError listing every failing field. */
export function validate<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((i) => ({ path: i.path.length > 0 ? i.path.join('.') : '(input)', message: i.message })),
  );
}
