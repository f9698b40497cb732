import { ValueTransformer } from 'typeorm';

/**
 * Postgres bigint columns arrive as strings from `pg`. Sequence numbers stay far below
 * Number.MAX_SAFE_INTEGER, so they are exposed as numbers; ids stay strings.
 */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
