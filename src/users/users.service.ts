import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, QueryFailedError, Repository } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { User } from './user.entity';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  async create(email: string, passwordHash: string, displayName: string): Promise<User> {
    try {
      const inserted = await this.users.save(this.users.create({ email, passwordHash, displayName }));
      return this.toPublic(inserted);
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new DomainError('email_taken', 'An account with this email already exists');
      }
      throw error;
    }
  }

  /** Includes the password hash, for login only. */
  findWithPasswordByEmail(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email })
      .getOne();
  }

  /** `email` must already be trimmed and lower-cased, as stored. */
  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email });
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  findByIds(ids: string[]): Promise<User[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.users.findBy({ id: In(ids) });
  }

  /** Strips the hash that `save` echoes back. */
  private toPublic(user: User): User {
    const { passwordHash: _hash, ...rest } = user;
    return rest as User;
  }
}
