import type { Connection } from 'mongoose';
import { createApiTokenModel, type ApiTokenModel } from '../auth/api-token.model';
import { createTeamModel, type TeamModel } from '../auth/team.model';
import { createUserModel, type UserModel } from '../auth/user.model';
import { createContactModel, createIdentityModel, type ContactModel, type IdentityModel } from '../contacts/contact.model';
import { createOrganizationModel, type OrganizationModel } from '../contacts/organization.model';
import { createMessageModel, type MessageModel } from '../tickets/message.model';
import { createTicketEventModel, type TicketEventModel } from '../tickets/ticket-event.model';
import { createThreadKeyModel, type ThreadKeyModel } from '../tickets/thread-key.model';
import { createTicketModel, type TicketModel } from '../tickets/ticket.model';

export interface Models {
  Ticket: TicketModel;
  Message: MessageModel;
  TicketEvent: TicketEventModel;
  ThreadKey: ThreadKeyModel;
  Contact: ContactModel;
  Identity: IdentityModel;
  Organization: OrganizationModel;
  User: UserModel;
  Team: TeamModel;
  ApiToken: ApiTokenModel;
}

/** Builds every model on one connection and makes sure their indexes exist. */
export async function createModels(conn: Connection): Promise<Models> {
  const models: Models = {
    Ticket: createTicketModel(conn),
    Message: createMessageModel(conn),
    TicketEvent: createTicketEventModel(conn),
    ThreadKey: createThreadKeyModel(conn),
    Contact: createContactModel(conn),
    Identity: createIdentityModel(conn),
    Organization: createOrganizationModel(conn),
    User: createUserModel(conn),
    Team: createTeamModel(conn),
    ApiToken: createApiTokenModel(conn),
  };
  // Unique indexes must exist before the first insert: they are the dedupe mechanism.
  for (const model of Object.values(models) as Array<{ init(): Promise<unknown> }>) await model.init();
  return models;
}

/** True for MongoDB's duplicate-key error (E11000), which FerretDB reports the same way. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 11000;
}
