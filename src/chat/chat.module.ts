import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StatementPool } from '../database/statement-pool';
import { Conversation } from './entities/conversation.entity';
import { ConversationMember } from './entities/conversation-member.entity';
import { Message } from './entities/message.entity';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';
import { MessagesService } from './messages.service';
import { SendBatcher } from './send-batcher';
import { MessageHistoryService } from './message-history.service';
import { MembershipService } from './membership.service';
import { ReadCursorService } from './read-cursor.service';

@Module({
  imports: [TypeOrmModule.forFeature([Conversation, ConversationMember, Message])],
  controllers: [ConversationsController],
  providers: [ConversationsService, MessagesService, SendBatcher, StatementPool, MessageHistoryService, MembershipService, ReadCursorService],
  exports: [ConversationsService, MessagesService, MessageHistoryService, ReadCursorService],
})
export class ChatModule {}
