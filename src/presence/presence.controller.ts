import { Controller, Get, Param, ParseUUIDPipe, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentUserId } from '../auth/current-user-id.decorator';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';
import { ConversationsService } from '../chat/conversations.service';
import { DomainError } from '../common/domain-error';
import { PresenceStore } from './presence-store';

class PresenceDto {
  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty({ description: 'True while any device of the user is connected to any instance' })
  online: boolean;
}

@ApiTags('users')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('users')
export class PresenceController {
  constructor(
    private readonly presence: PresenceStore,
    private readonly conversations: ConversationsService,
  ) {}

  @Get(':id/presence')
  @ApiOkResponse({ type: PresenceDto })
  @ApiNotFoundResponse({ description: 'user_not_found: no such user, or you share no conversation with them' })
  async get(@CurrentUserId() userId: string, @Param('id', ParseUUIDPipe) id: string): Promise<PresenceDto> {
    if (!(await this.conversations.sharesConversation(userId, id))) throw new DomainError('user_not_found', 'User not found');
    return { userId: id, online: await this.presence.isOnline(id) };
  }
}
