import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { memberIdsOf } from './conversation-log';
import { conversationNotFound } from './conversations.service';
import { advanceReadCursor } from './read-cursor';

export interface ReadCursorMoved {
  lastReadSeq: number;
  /** False when the cursor was already there (or further): nobody needs telling. */
  changed: boolean;
  memberIds: string[];
}

@Injectable()
export class ReadCursorService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Moves the member's read cursor forward to `seq` (see read-cursor.ts for the rules). */
  markRead(userId: string, conversationId: string, seq: number): Promise<ReadCursorMoved> {
    return this.db.transaction(async (em) => {
      const rows: { last_read_seq: string; last_seq: string }[] = await em.query(
        `SELECT m.last_read_seq, c.last_seq FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
         WHERE m.conversation_id = $1 AND m.user_id = $2 FOR UPDATE OF m`,
        [conversationId, userId],
      );
      if (rows.length === 0) throw conversationNotFound();
      const current = Number(rows[0].last_read_seq);
      const next = advanceReadCursor(current, seq, Number(rows[0].last_seq));
      if (next === current) return { lastReadSeq: current, changed: false, memberIds: [] };
      await em.query(`UPDATE conversation_members SET last_read_seq = $3 WHERE conversation_id = $1 AND user_id = $2`, [
        conversationId,
        userId,
        next,
      ]);
      return { lastReadSeq: next, changed: true, memberIds: await memberIdsOf(em, conversationId) };
    });
  }
}
