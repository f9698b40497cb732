import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUserId } from '../auth/current-user-id.decorator';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';
import { ConversationsService } from './conversations.service';
import { ConversationDto } from './dto/conversation.dto';
import { CreateConversationDto } from './dto/create-conversation.dto';
import { ListMessagesQuery } from './dto/list-messages.query';
import { MessagePageDto } from './dto/message.dto';
import { AddMembersDto } from './dto/add-members.dto';
import { ChatNotifier } from './chat-notifier';
import { MembershipService } from './membership.service';
import { MessageHistoryService } from './message-history.service';

@ApiTags('conversations')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('conversations')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly messageHistory: MessageHistoryService,
    private readonly membership: MembershipService,
    private readonly notifier: ChatNotifier,
  ) {}

  @Get()
  @ApiOkResponse({ type: [ConversationDto], description: 'Your conversations, most recently active first' })
  list(@CurrentUserId() userId: string): Promise<ConversationDto[]> {
    return this.conversations.listForUser(userId);
  }

  @Post()
  @ApiCreatedResponse({ type: ConversationDto, description: 'A group conversation with you as owner' })
  @ApiNotFoundResponse({ description: 'user_not_found: one of memberIds does not exist' })
  create(@CurrentUserId() userId: string, @Body() dto: CreateConversationDto): Promise<ConversationDto> {
    return this.conversations.createGroup(userId, dto);
  }

  @Get(':id')
  @ApiOkResponse({ type: ConversationDto })
  @ApiNotFoundResponse({ description: 'conversation_not_found (also when you are not a member)' })
  get(@CurrentUserId() userId: string, @Param('id', ParseUUIDPipe) id: string): Promise<ConversationDto> {
    return this.conversations.getForMember(id, userId);
  }

  @Get(':id/messages')
  @ApiOkResponse({ type: MessagePageDto })
  @ApiNotFoundResponse({ description: 'conversation_not_found (also when you are not a member)' })
  history(
    @CurrentUserId() userId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ListMessagesQuery,
  ): Promise<MessagePageDto> {
    return this.messageHistory.list(userId, id, query);
  }

  @Post(':id/members')
  @ApiCreatedResponse({ type: ConversationDto, description: 'Group owner only; users already members are skipped' })
  @ApiForbiddenResponse({ description: 'forbidden: you are not the owner' })
  @ApiNotFoundResponse({ description: 'conversation_not_found or user_not_found' })
  async addMembers(
    @CurrentUserId() userId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: AddMembersDto,
  ): Promise<ConversationDto> {
    this.notifier.entriesAppended(await this.membership.addMembers(userId, id, dto.userIds));
    return this.conversations.getForMember(id, userId);
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Removed: their devices stop receiving the conversation at once' })
  @ApiForbiddenResponse({ description: 'forbidden: only the owner removes others (anyone may remove themselves)' })
  async removeMember(
    @CurrentUserId() userId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('userId', ParseUUIDPipe) memberId: string,
  ): Promise<void> {
    this.notifier.entriesAppended([await this.membership.removeMember(userId, id, memberId)]);
  }
}
