import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { User } from '../users/user.entity';
import { ConversationDto } from './dto/conversation.dto';
import { CreateConversationDto } from './dto/create-conversation.dto';
import { MessageDto } from './dto/message.dto';
import { Conversation } from './entities/conversation.entity';
import { ConversationMember } from './entities/conversation-member.entity';
import { Message } from './entities/message.entity';
import { unreadCount } from './read-cursor';

/** Pairs remembered per instance (oldest forgotten first): about 10 MB at most. */
const DIRECT_CACHE_SIZE = 100_000;

interface ConversationRow {
  id: string;
  kind: Conversation['kind'];
  name: string | null;
  last_seq: string;
  last_read_seq: string;
  created_at: Date;
}

/** Conversations and membership: who may read and write where. No sockets here. */
@Injectable()
export class ConversationsService {
  /**
   * Direct conversation id by pair: saves a query on every DM send. Safe to keep: a pair's
   * direct conversation is created once (unique direct_key) and never changes or goes away.
   */
  private readonly directIds = new Map<string, string>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  private remember(directKey: string, id: string): void {
    if (this.directIds.size >= DIRECT_CACHE_SIZE) this.directIds.delete(this.directIds.keys().next().value!);
    this.directIds.set(directKey, id);
  }

  async createGroup(creatorId: string, dto: CreateConversationDto): Promise<ConversationDto> {
    const memberIds = [...new Set([creatorId, ...dto.memberIds])];
    const id = await this.db.transaction(async (em) => {
      await this.assertUsersExist(em, memberIds);
      const conversation = await em.save(
        em.create(Conversation, { kind: 'group', name: dto.name.trim(), createdBy: creatorId, directKey: null }),
      );
      await em.insert(
        ConversationMember,
        memberIds.map((userId) => ({ conversationId: conversation.id, userId, role: userId === creatorId ? 'owner' : 'member' })),
      );
      return conversation.id;
    });
    return this.getForMember(id, creatorId);
  }

  /** The direct conversation between two users, created (with both as members) on first use. */
  async getOrCreateDirect(userId: string, participantId: string): Promise<string> {
    if (userId === participantId) throw new DomainError('cannot_message_self', 'You cannot send a direct message to yourself');
    const directKey = [userId, participantId].sort().join(':');
    const cached = this.directIds.get(directKey);
    if (cached) return cached;
    const existing = await this.db.getRepository(Conversation).findOne({ where: { directKey }, select: { id: true } });
    const id = existing?.id ?? (await this.createDirect(userId, participantId, directKey));
    this.remember(directKey, id);
    return id;
  }

  private createDirect(userId: string, participantId: string, directKey: string): Promise<string> {
    return this.db.transaction(async (em) => {
      await this.assertUsersExist(em, [participantId]);
      // Two first messages racing each other both land in the one conversation.
      const inserted: { id: string }[] = await em.query(
        `INSERT INTO conversations (kind, direct_key, created_by) VALUES ('direct', $1, $2)
         ON CONFLICT (direct_key) DO NOTHING RETURNING id`,
        [directKey, userId],
      );
      if (inserted.length === 0) {
        return (await em.getRepository(Conversation).findOneOrFail({ where: { directKey }, select: { id: true } })).id;
      }
      const id = inserted[0].id;
      await em.insert(ConversationMember, [
        { conversationId: id, userId, role: 'member' },
        { conversationId: id, userId: participantId, role: 'member' },
      ]);
      return id;
    });
  }

  async listForUser(userId: string): Promise<ConversationDto[]> {
    const rows: ConversationRow[] = await this.db.query(
      `SELECT c.id, c.kind, c.name, c.last_seq, c.created_at, m.last_read_seq
       FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.user_id = $1`,
      [userId],
    );
    return this.toDtos(rows);
  }

  /** Throws conversation_not_found both when it does not exist and when the user is not a member. */
  async getForMember(conversationId: string, userId: string): Promise<ConversationDto> {
    const rows: ConversationRow[] = await this.db.query(
      `SELECT c.id, c.kind, c.name, c.last_seq, c.created_at, m.last_read_seq
       FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.user_id = $1 AND m.conversation_id = $2`,
      [userId, conversationId],
    );
    if (rows.length === 0) throw conversationNotFound();
    return (await this.toDtos(rows))[0];
  }

  async assertMember(conversationId: string, userId: string, em: EntityManager = this.db.manager): Promise<void> {
    const found = await em.existsBy(ConversationMember, { conversationId, userId });
    if (!found) throw conversationNotFound();
  }

  /** The members of a conversation, if `userId` is one of them. */
  async membersFor(conversationId: string, userId: string): Promise<string[]> {
    const rows: { user_id: string }[] = await this.db.query(
      `SELECT user_id FROM conversation_members WHERE conversation_id = $1
       AND EXISTS (SELECT 1 FROM conversation_members WHERE conversation_id = $1 AND user_id = $2)`,
      [conversationId, userId],
    );
    if (rows.length === 0) throw conversationNotFound();
    return rows.map((row) => row.user_id);
  }

  /** Everyone who shares at least one conversation with the user (not the user). */
  async contactsOf(userId: string): Promise<string[]> {
    return (await this.contactsOfEach([userId])).get(userId) ?? [];
  }

  /** contactsOf for several users in one query; users without contacts are absent from the map. */
  async contactsOfEach(userIds: string[]): Promise<Map<string, string[]>> {
    const rows: { subject: string; contact: string }[] = await this.db.query(
      `SELECT DISTINCT mine.user_id AS subject, other.user_id AS contact FROM conversation_members mine
       JOIN conversation_members other ON other.conversation_id = mine.conversation_id
       WHERE mine.user_id = ANY($1::uuid[]) AND other.user_id <> mine.user_id`,
      [userIds],
    );
    const contacts = new Map<string, string[]>();
    for (const { subject, contact } of rows) {
      const list = contacts.get(subject);
      if (list) list.push(contact);
      else contacts.set(subject, [contact]);
    }
    return contacts;
  }

  async sharesConversation(userId: string, otherId: string): Promise<boolean> {
    if (userId === otherId) return true;
    const rows: unknown[] = await this.db.query(
      `SELECT 1 FROM conversation_members a JOIN conversation_members b ON a.conversation_id = b.conversation_id
       WHERE a.user_id = $1 AND b.user_id = $2 LIMIT 1`,
      [userId, otherId],
    );
    return rows.length > 0;
  }

  private async assertUsersExist(em: EntityManager, userIds: string[]): Promise<void> {
    const found = await em.find(User, { where: { id: In(userIds) }, select: { id: true } });
    const missing = userIds.filter((id) => !found.some((user) => user.id === id));
    if (missing.length > 0) throw new DomainError('user_not_found', `Unknown user id(s): ${missing.join(', ')}`);
  }

  /** Adds members and last messages in two queries, newest activity first. */
  private async toDtos(rows: ConversationRow[]): Promise<ConversationDto[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const [members, lastMessages] = await Promise.all([
      this.db.query<{ conversation_id: string; id: string; display_name: string }[]>(
        `SELECT m.conversation_id, u.id, u.display_name FROM conversation_members m JOIN users u ON u.id = m.user_id
         WHERE m.conversation_id = ANY($1) ORDER BY m.joined_at, u.id`,
        [ids],
      ),
      this.db
        .getRepository(Message)
        .createQueryBuilder('msg')
        .where('msg.conversation_id = ANY(:ids)', { ids })
        // The newest chat message, skipping edit/delete/membership entries; Postgres answers
        // max() with a backward scan of the (conversation_id, seq) index.
        .andWhere(
          `msg.seq = (SELECT max(m2.seq) FROM messages m2 WHERE m2.conversation_id = msg.conversation_id AND m2.kind = 'message')`,
        )
        .getMany(),
    ]);
    const dtos = rows.map((row): ConversationDto => {
      const lastSeq = Number(row.last_seq);
      const lastReadSeq = Number(row.last_read_seq);
      const last = lastMessages.find((message) => message.conversationId === row.id);
      return {
        id: row.id,
        kind: row.kind,
        name: row.name,
        members: members
          .filter((member) => member.conversation_id === row.id)
          .map((member) => ({ id: member.id, displayName: member.display_name })),
        lastSeq,
        lastReadSeq,
        unreadCount: unreadCount(lastSeq, lastReadSeq),
        lastMessage: last ? MessageDto.from(last) : null,
        createdAt: row.created_at.toISOString(),
      };
    });
    const activity = (dto: ConversationDto) => dto.lastMessage?.createdAt ?? dto.createdAt;
    return dtos.sort((a, b) => activity(b).localeCompare(activity(a)));
  }
}

export function conversationNotFound(): DomainError {
  return new DomainError('conversation_not_found', 'Conversation not found');
}
