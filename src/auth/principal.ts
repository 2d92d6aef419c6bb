import type { Role } from './user.model';

/** Who is making a request: a signed-in user or an integrator API token. */
export interface Principal {
  kind: 'user' | 'token';
  /** The user id, or the API token id. */
  id: string;
  name: string;
  email: string | null;
  role: Role;
  teams: string[];
  /** The session, for logout (users only). */
  sessionId: string | null;
}

export const ROLE_RANK: Readonly<Record<Role, number>> = { agent: 1, supervisor: 2, admin: 3 };

export const atLeast = (p: Principal, role: Role): boolean => ROLE_RANK[p.role] >= ROLE_RANK[role];
