import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { DomainError } from './domain-error';

/** The options the HTTP ValidationPipe uses too, so REST and WS accept exactly the same payloads. */
export const VALIDATION_OPTIONS = { whitelist: true, forbidNonWhitelisted: true } as const;

/** Validates a WS payload against the same DTO class REST uses. Throws validation_failed. */
export async function validatePayload<T extends object>(dtoClass: ClassConstructor<T>, data: unknown): Promise<T> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new DomainError('validation_failed', '"data" must be an object');
  }
  const reserved = reservedKeyIn(data);
  if (reserved) throw new DomainError('validation_failed', `property ${reserved} should not exist`);
  const instance = plainToInstance(dtoClass, data);
  const errors = await validate(instance, VALIDATION_OPTIONS);
  if (errors.length > 0) throw new DomainError('validation_failed', describe(errors));
  return instance;
}

/**
 * Keys no payload has and class-transformer mishandles: a nested `constructor` key makes it throw
 * a TypeError, and top-level ones slip past forbidNonWhitelisted. Iterative; the frame's depth and
 * width are already bounded by frame-shape.ts.
 */
const RESERVED_KEYS = ['__proto__', 'constructor', 'prototype'];

function reservedKeyIn(data: object): string | undefined {
  const stack: unknown[] = [data];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    const reserved = RESERVED_KEYS.find((key) => Object.hasOwn(node, key));
    if (reserved) return reserved;
    stack.push(...Object.values(node));
  }
  return undefined;
}

function describe(errors: ValidationError[]): string {
  return errors.flatMap((error) => Object.values(error.constraints ?? {})).join('; ');
}
