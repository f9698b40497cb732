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
  const instance = plainToInstance(dtoClass, data);
  const errors = await validate(instance, VALIDATION_OPTIONS);
  if (errors.length > 0) throw new DomainError('validation_failed', describe(errors));
  return instance;
}

function describe(errors: ValidationError[]): string {
  return errors.flatMap((error) => Object.values(error.constraints ?? {})).join('; ');
}
