import type { z } from 'zod';
import { cardNumberRefusal, looksLikeCardNumber } from './fields';

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

/** The schemas that may carry a card number: the gateway vault's request, a recorded history. */
const cardNumbersAllowed = new WeakSet<z.ZodType>();

/** Marks `schema` as one whose values may hold card numbers, so `parseOrThrow` does not refuse them. */
export function allowCardNumbers<T extends z.ZodType>(schema: T): T {
  cardNumbersAllowed.add(schema);
  return schema;
}

/** Every string in `value` (at any depth) that reads as a card number, as a refused field. */
export function cardNumberFields(value: unknown, root = '(input)'): FieldError[] {
  const found: FieldError[] = [];
  const walk = (v: unknown, path: (string | number)[], depth: number) => {
    if (typeof v === 'string') {
      if (looksLikeCardNumber(v))
        found.push({ path: path.length > 0 ? path.join('.') : root, message: cardNumberRefusal });
    } else if (depth < 32 && Array.isArray(v)) {
      v.forEach((item, i) => walk(item, [...path, i], depth + 1));
    } else if (depth < 32 && typeof v === 'object' && v !== null) {
      for (const [k, item] of Object.entries(v)) walk(item, [...path, k], depth + 1);
    }
  };
  walk(value, [], 0);
  return found;
}

/**
 * Parses `value` with `schema`, or throws a ValidationError listing every failing field. A card
 * number in any field is refused first (unless the schema is `allowCardNumbers`), so no caller
 * can pass one on by mistake.
 */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what = 'input',
  root = '(input)',
): z.infer<T> {
  if (!cardNumbersAllowed.has(schema)) {
    const cards = cardNumberFields(value, root);
    if (cards.length > 0) throw new ValidationError(cards, what);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(fieldErrors(result.error, root), what);
}
