import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { User } from '../users/user.entity';
import { appendToLog, memberIdsOf } from './conversation-log';
import { conversationNotFound } from './conversations.service';
import { MessageDto } from './dto/message.dto';
import { Conversation } from './entities/conversation.entity';
import { ConversationMember } from './entities/conversation-member.entity';
import { AppendedEntry } from './messages.service';

/**
 * Adding and removing group members. Each change is a log entry (member_added/member_removed)
 * written under the conversation's row lock, so it is ordered against sends: a send that
 * commits after a removal is never fanned out to the removed member.
 */
@Injectable()
export class MembershipService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Owner only. Users already in the group are skipped. Returns one entry per user added. */
  addMembers(actorId: string, conversationId: string, userIds: string[]): Promise<AppendedEntry[]> {
    return this.db.transaction(async (em) => {
      await this.assertGroupOwner(em, actorId, conversationId);
      const found = await em.find(User, { where: { id: In(userIds) }, select: { id: true } });
      const missing = userIds.filter((id) => !found.some((user) => user.id === id));
      if (missing.length > 0) throw new DomainError('user_not_found', `Unknown user id(s): ${missing.join(', ')}`);
      const entries = [];
      for (const userId of userIds) {
        const added = await em.query(
          `INSERT INTO conversation_members (conversation_id, user_id, last_read_seq)
           SELECT id, $2, last_seq FROM conversations WHERE id = $1
           ON CONFLICT DO NOTHING RETURNING user_id`,
          [conversationId, userId],
        );
        if (added.length === 0) continue;
        entries.push(await appendToLog(em, { conversationId, actorId, kind: 'member_added', subjectUserId: userId }));
      }
      const memberIds = await memberIdsOf(em, conversationId);
      return entries.map((entry) => ({ entry: MessageDto.from(entry), memberIds, duplicate: false }));
    });
  }

  /** The owner removes anyone but themselves; any member removes themselves (leaves). */
  removeMember(actorId: string, conversationId: string, userId: string): Promise<AppendedEntry> {
    return this.db.transaction(async (em) => {
      const conversation = await this.groupOf(em, actorId, conversationId);
      const actor = await em.findOneByOrFail(ConversationMember, { conversationId, userId: actorId });
      if (userId !== actorId && actor.role !== 'owner') {
        throw new DomainError('forbidden', 'Only the group owner can remove other members');
      }
      if (userId === actorId && actor.role === 'owner') {
        throw new DomainError('validation_failed', 'The owner cannot leave the group');
      }
      // The removed member is told too, so the audience is read before the removal.
      const memberIds = await memberIdsOf(em, conversation.id);
      if (!memberIds.includes(userId)) throw new DomainError('user_not_found', 'That user is not a member');
      const entry = await appendToLog(em, { conversationId, actorId, kind: 'member_removed', subjectUserId: userId });
      await em.delete(ConversationMember, { conversationId, userId });
      return { entry: MessageDto.from(entry), memberIds, duplicate: false };
    });
  }

  private async assertGroupOwner(em: EntityManager, actorId: string, conversationId: string): Promise<void> {
    await this.groupOf(em, actorId, conversationId);
    const actor = await em.findOneByOrFail(ConversationMember, { conversationId, userId: actorId });
    if (actor.role !== 'owner') throw new DomainError('forbidden', 'Only the group owner can add members');
  }

  /** The group, if the actor is a member of it; direct conversations have fixed members. */
  private async groupOf(em: EntityManager, actorId: string, conversationId: string): Promise<Conversation> {
    const isMember = await em.existsBy(ConversationMember, { conversationId, userId: actorId });
    const conversation = isMember ? await em.findOneBy(Conversation, { id: conversationId }) : null;
    if (!conversation) throw conversationNotFound();
    if (conversation.kind !== 'group') throw new DomainError('validation_failed', 'Direct conversations have fixed members');
    return conversation;
  }
}
