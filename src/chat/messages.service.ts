import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DomainError } from '../common/domain-error';
import { conversationNotFound, ConversationsService } from './conversations.service';
import { MessageDto, MessagePageDto } from './dto/message.dto';
import { ListMessagesQuery } from './dto/list-messages.query';
import { ConversationMember } from './entities/conversation-member.entity';
import { Message } from './entities/message.entity';

export interface SendCommand {
  senderId: string;
  conversationId: string;
  body: string;
  clientMsgId?: string;
}

export interface SentMessage {
  message: MessageDto;
  /** Every member, sender included (their other devices want the message too). */
  memberIds: string[];
  /** True when clientMsgId matched an earlier send: nothing new was stored. */
  duplicate: boolean;
}

const UNIQUE_VIOLATION = '23505';
const DEFAULT_PAGE = 50;

/** Storing and reading messages. A send resolves only after its transaction has committed. */
@Injectable()
export class MessagesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly conversations: ConversationsService,
    private readonly config: AppConfig,
  ) {}

  async sendDirect(senderId: string, participantId: string, body: string, clientMsgId?: string): Promise<SentMessage> {
    this.assertBodyFits(body);
    const conversationId = await this.conversations.getOrCreateDirect(senderId, participantId);
    return this.send({ senderId, conversationId, body, clientMsgId });
  }

  async send(command: SendCommand): Promise<SentMessage> {
    this.assertBodyFits(command.body);
    try {
      return await this.db.transaction((em) => this.insertInTransaction(em, command));
    } catch (error) {
      // A concurrent retry of the same clientMsgId won the race: answer with its message.
      if (command.clientMsgId && isUniqueViolation(error)) {
        const original = await this.findByClientMsgId(this.db.manager, command);
        if (original) return original;
      }
      throw error;
    }
  }

  async list(userId: string, conversationId: string, query: ListMessagesQuery): Promise<MessagePageDto> {
    await this.conversations.assertMember(conversationId, userId);
    const limit = query.limit ?? DEFAULT_PAGE;
    const builder = this.db
      .getRepository(Message)
      .createQueryBuilder('m')
      .where('m.conversation_id = :conversationId', { conversationId })
      .take(limit + 1);
    if (query.afterSeq !== undefined) {
      builder.andWhere('m.seq > :afterSeq', { afterSeq: query.afterSeq }).orderBy('m.seq', 'ASC');
    } else {
      if (query.beforeSeq !== undefined) builder.andWhere('m.seq < :beforeSeq', { beforeSeq: query.beforeSeq });
      builder.orderBy('m.seq', 'DESC');
    }
    const rows = await builder.getMany();
    const page = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    return {
      messages: page.map((message) => MessageDto.from(message)),
      nextCursor: hasMore ? page[page.length - 1].seq : null,
    };
  }

  private async insertInTransaction(em: EntityManager, command: SendCommand): Promise<SentMessage> {
    if (command.clientMsgId) {
      const original = await this.findByClientMsgId(em, command);
      if (original) return original;
    }
    // The row lock taken by this UPDATE serialises senders per conversation, which is what
    // makes seq gap-free: a rolled-back insert also rolls back its seq.
    const bumped: [{ last_seq: string }[], number] = await em.query(
      `UPDATE conversations SET last_seq = last_seq + 1
       WHERE id = $1 AND EXISTS (SELECT 1 FROM conversation_members WHERE conversation_id = $1 AND user_id = $2)
       RETURNING last_seq`,
      [command.conversationId, command.senderId],
    );
    const [updatedRows] = bumped;
    if (updatedRows.length === 0) throw conversationNotFound();
    const message = await em.save(
      em.create(Message, {
        conversationId: command.conversationId,
        senderId: command.senderId,
        body: command.body,
        clientMsgId: command.clientMsgId ?? null,
        seq: Number(updatedRows[0].last_seq),
      }),
    );
    return { message: MessageDto.from(message), memberIds: await this.memberIds(em, command.conversationId), duplicate: false };
  }

  private async findByClientMsgId(em: EntityManager, command: SendCommand): Promise<SentMessage | null> {
    const original = await em.findOneBy(Message, { senderId: command.senderId, clientMsgId: command.clientMsgId });
    if (!original) return null;
    if (original.conversationId !== command.conversationId) {
      throw new DomainError('validation_failed', 'clientMsgId was already used for a message in another conversation');
    }
    return { message: MessageDto.from(original), memberIds: await this.memberIds(em, original.conversationId), duplicate: true };
  }

  private async memberIds(em: EntityManager, conversationId: string): Promise<string[]> {
    const members = await em.find(ConversationMember, { where: { conversationId }, select: { userId: true } });
    return members.map((member) => member.userId);
  }

  private assertBodyFits(body: string): void {
    if (body.length > this.config.messageMaxChars) {
      throw new DomainError('message_too_long', `Message body exceeds ${this.config.messageMaxChars} characters`);
    }
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION;
}
