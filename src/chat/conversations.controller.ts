import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUserId } from '../auth/current-user-id.decorator';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';
import { ConversationsService } from './conversations.service';
import { ConversationDto } from './dto/conversation.dto';
import { CreateConversationDto } from './dto/create-conversation.dto';
import { ListMessagesQuery } from './dto/list-messages.query';
import { MessagePageDto } from './dto/message.dto';
import { MessagesService } from './messages.service';

@ApiTags('conversations')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('conversations')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
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
    return this.messages.list(userId, id, query);
  }
}
