import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConversationsService } from './conversations.service';
import { ListMessagesQuery } from './dto/list-messages.query';
import { MessageDto, MessagePageDto } from './dto/message.dto';
import { Message } from './entities/message.entity';

export interface SyncState {
  conversationId: string;
  lastSeq: number;
  lastReadSeq: number;
}

const DEFAULT_PAGE = 50;

/** Reading conversation logs: REST history pages and catch-up pages. */
@Injectable()
export class MessageHistoryService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly conversations: ConversationsService,
  ) {}

  async list(userId: string, conversationId: string, query: ListMessagesQuery): Promise<MessagePageDto> {
    await this.conversations.assertMember(conversationId, userId);
    const limit = query.limit ?? DEFAULT_PAGE;
    if (query.afterSeq !== undefined) {
      const rows = await this.pageAfter(conversationId, query.afterSeq, limit + 1);
      return toPage(rows, limit);
    }
    const builder = this.db
      .getRepository(Message)
      .createQueryBuilder('m')
      .where('m.conversation_id = :conversationId', { conversationId })
      .orderBy('m.seq', 'DESC')
      .take(limit + 1);
    if (query.beforeSeq !== undefined) builder.andWhere('m.seq < :beforeSeq', { beforeSeq: query.beforeSeq });
    return toPage(await builder.getMany(), limit);
  }

  /** Where each of the user's conversations stands, for catch-up. */
  async syncState(userId: string): Promise<SyncState[]> {
    const rows: { id: string; last_seq: string; last_read_seq: string }[] = await this.db.query(
      `SELECT c.id, c.last_seq, m.last_read_seq FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.user_id = $1 ORDER BY c.id`,
      [userId],
    );
    return rows.map((row) => ({ conversationId: row.id, lastSeq: Number(row.last_seq), lastReadSeq: Number(row.last_read_seq) }));
  }

  /**
   * Catch-up's page: log entries with seq > afterSeq, oldest first, at most `limit` of them and
   * only as many as fit in `maxBytes` of bodies (always at least one). Bounded in bytes too
   * because a page is held in memory until the socket takes it: 200 entries of 60 KB are 12 MB,
   * times every client catching up at once.
   */
  async catchUpPage(conversationId: string, afterSeq: number, limit: number, maxBytes: number): Promise<Message[]> {
    return this.db
      .getRepository(Message)
      .createQueryBuilder('m')
      .where('m.conversation_id = :conversationId AND m.seq > :afterSeq', { conversationId, afterSeq })
      .andWhere(
        // The last seq whose earlier entries in this page hold fewer than maxBytes of body.
        `m.seq <= (SELECT max(w.seq) FROM (
           SELECT seq, sum(coalesce(octet_length(body), 0)) OVER (ORDER BY seq) - coalesce(octet_length(body), 0) AS before
           FROM messages WHERE conversation_id = :conversationId AND seq > :afterSeq ORDER BY seq LIMIT :limit
         ) w WHERE w.before < :maxBytes)`,
        { limit, maxBytes },
      )
      .orderBy('m.seq', 'ASC')
      .getMany();
  }

  /** Log entries with seq > afterSeq, oldest first. */
  async pageAfter(conversationId: string, afterSeq: number, limit: number): Promise<Message[]> {
    return this.db
      .getRepository(Message)
      .createQueryBuilder('m')
      .where('m.conversation_id = :conversationId AND m.seq > :afterSeq', { conversationId, afterSeq })
      .orderBy('m.seq', 'ASC')
      .take(limit)
      .getMany();
  }
}

function toPage(rows: Message[], limit: number): MessagePageDto {
  const page = rows.slice(0, limit);
  return {
    messages: page.map((message) => MessageDto.from(message)),
    nextCursor: rows.length > limit ? page[page.length - 1].seq : null,
  };
}
