import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DomainError } from '../common/domain-error';
import { appendToLog, memberIdsOf } from './conversation-log';
import { SendBatcher } from './send-batcher';
import { conversationNotFound, ConversationsService } from './conversations.service';
import { MessageDto } from './dto/message.dto';
import { Message } from './entities/message.entity';

export interface SendCommand {
  senderId: string;
  conversationId: string;
  body: string;
  clientMsgId?: string;
}

export interface ChangeCommand {
  senderId: string;
  messageId: string;
  /** New text for an edit; absent for a delete. */
  body?: string;
  clientMsgId?: string;
}

/** A committed log entry and who should hear about it. */
export interface AppendedEntry {
  entry: MessageDto;
  /** Every member, the actor included (their other devices want it too). */
  memberIds: readonly string[];
  /** True when clientMsgId matched an earlier write: nothing new was stored. */
  duplicate: boolean;
}

const UNIQUE_VIOLATION = '23505';

/** Writing messages, edits and deletes. Each call resolves only after its transaction has committed. */
@Injectable()
export class MessagesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly conversations: ConversationsService,
    private readonly config: AppConfig,
    private readonly batcher: SendBatcher,
  ) {}

  async sendDirect(senderId: string, participantId: string, body: string, clientMsgId?: string): Promise<AppendedEntry> {
    // Checked before the DM is created, so an oversized first message creates nothing.
    this.assertBodyFits(body);
    const conversationId = await this.conversations.getOrCreateDirect(senderId, participantId);
    return this.send({ senderId, conversationId, body, clientMsgId });
  }

  async send(command: SendCommand): Promise<AppendedEntry> {
    this.assertBodyFits(command.body);
    try {
      const stored = await this.batcher.store(command);
      if (stored) return { entry: MessageDto.from(stored.message), memberIds: stored.memberIds, duplicate: false };
    } catch (error) {
      if (!(command.clientMsgId && isUniqueViolation(error))) throw error;
    }
    // A clientMsgId seen before (the insert was refused, or the sender has left since): the
    // original send is the answer, permanently. Otherwise the sender is not a member.
    const earlier = command.clientMsgId
      ? await this.findEarlier(this.db.manager, command.senderId, command.clientMsgId, command.conversationId)
      : null;
    if (earlier) return earlier;
    throw conversationNotFound();
  }

  edit(command: ChangeCommand & { body: string }): Promise<AppendedEntry> {
    this.assertBodyFits(command.body);
    return this.change(command, 'edit');
  }

  remove(command: ChangeCommand): Promise<AppendedEntry> {
    return this.change(command, 'delete');
  }

  /** Edit or delete one's own live message: an event with its own seq, plus the new current state on the message row. */
  private async change(command: ChangeCommand, kind: 'edit' | 'delete'): Promise<AppendedEntry> {
    const target = await this.db.getRepository(Message).findOneBy({ id: command.messageId, kind: 'message' });
    if (!target || target.senderId !== command.senderId || target.deletedAt) {
      throw new DomainError('message_not_found', 'Message not found, not yours, or already deleted');
    }
    return this.idempotently(command.senderId, command.clientMsgId, target.conversationId, async (em) => {
      const event = await appendToLog(em, {
        conversationId: target.conversationId,
        actorId: command.senderId,
        kind,
        body: kind === 'edit' ? command.body : null,
        targetId: target.id,
        clientMsgId: command.clientMsgId,
      });
      // Re-checked under the conversation lock the append holds: a concurrent delete may have won.
      const updated = await em
        .createQueryBuilder()
        .update(Message)
        .set(kind === 'edit' ? { body: command.body, editedAt: event.createdAt } : { body: null, deletedAt: event.createdAt })
        .where('id = :id AND deleted_at IS NULL', { id: target.id })
        .execute();
      if (!updated.affected) throw new DomainError('message_not_found', 'Message not found, not yours, or already deleted');
      return event;
    });
  }

  /**
   * Runs `write` in a transaction unless clientMsgId names an earlier write of this sender, in
   * which case that write is answered again (permanently: a unique index, not a cache).
   */
  private async idempotently(
    senderId: string,
    clientMsgId: string | undefined,
    conversationId: string,
    write: (em: EntityManager) => Promise<Message>,
  ): Promise<AppendedEntry> {
    try {
      return await this.db.transaction(async (em) => {
        const earlier = clientMsgId ? await this.findEarlier(em, senderId, clientMsgId, conversationId) : null;
        if (earlier) return earlier;
        const entry = await write(em);
        return { entry: MessageDto.from(entry), memberIds: await memberIdsOf(em, conversationId), duplicate: false };
      });
    } catch (error) {
      // A concurrent retry of the same clientMsgId committed first: answer with its entry.
      if (clientMsgId && isUniqueViolation(error)) {
        const earlier = await this.findEarlier(this.db.manager, senderId, clientMsgId, conversationId);
        if (earlier) return earlier;
      }
      throw error;
    }
  }

  private async findEarlier(em: EntityManager, senderId: string, clientMsgId: string, conversationId: string): Promise<AppendedEntry | null> {
    const earlier = await em.findOneBy(Message, { senderId, clientMsgId });
    if (!earlier) return null;
    if (earlier.conversationId !== conversationId) {
      throw new DomainError('validation_failed', 'clientMsgId was already used in another conversation');
    }
    return { entry: MessageDto.from(earlier), memberIds: await memberIdsOf(em, conversationId), duplicate: true };
  }

  private assertBodyFits(body: string): void {
    if (body.length > this.config.messageMaxChars) {
      throw new DomainError('message_too_long', `Message body exceeds ${this.config.messageMaxChars} characters`);
    }
  }
}

/** TypeORM wraps pg's error (QueryFailedError.driverError); the send statements' errors are pg's own. */
function isUniqueViolation(error: unknown): boolean {
  const driverError = error instanceof QueryFailedError ? error.driverError : error;
  return (driverError as { code?: string } | null)?.code === UNIQUE_VIOLATION;
}


