import type { ApiTokenDoc } from '../auth/api-token.model';
import type { TeamDoc } from '../auth/team.model';
import type { UserDoc } from '../auth/user.model';

/** Public shapes of documents: never a password hash, ids as strings. */
export const userDto = (u: UserDoc) => ({
  id: u._id.toString(),
  email: u.email,
  name: u.name,
  role: u.role,
  teams: u.teams.map(String),
  skills: u.skills,
  languages: u.languages,
  maxConcurrent: { chat: u.maxConcurrent.chat, async: u.maxConcurrent.async },
  active: u.active,
  locale: u.locale,
  createdAt: u.createdAt,
});

export const teamDto = (t: TeamDoc) => ({ id: t._id.toString(), name: t.name, description: t.description });

export const apiTokenDto = (t: ApiTokenDoc) => ({
  id: t._id.slice(0, 16),
  name: t.name,
  prefix: t.prefix,
  role: t.role,
  teams: t.teams.map(String),
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt,
  revokedAt: t.revokedAt,
});
