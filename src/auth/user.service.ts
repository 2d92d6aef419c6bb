import type { Types } from 'mongoose';
import { isDuplicateKey } from '../db/models';
import { hashPassword } from './password';
import type { TeamModel } from './team.model';
import type { Role, UserDoc, UserModel } from './user.model';

export interface NewUser {
  email: string;
  name: string;
  password: string;
  role: Role;
  teams?: Types.ObjectId[];
  skills?: string[];
  languages?: string[];
  maxConcurrent?: { chat: number; async: number };
}

export function createUserService(deps: { User: UserModel; Team: TeamModel }) {
  const { User, Team } = deps;
  return {
    /** Creates the user unless one with that email exists (insert-first on the unique email). */
    async ensureUser(input: NewUser): Promise<{ user: UserDoc; created: boolean }> {
      const email = input.email.trim().toLowerCase();
      const existing = await User.findOne({ email }).lean();
      if (existing) return { user: existing, created: false };
      try {
        const doc = await User.create({ ...input, email, passwordHash: await hashPassword(input.password) });
        return { user: doc.toObject<UserDoc>(), created: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const winner = await User.findOne({ email }).lean();
        if (!winner) throw err;
        return { user: winner, created: false };
      }
    },
    async ensureTeam(name: string, description = ''): Promise<Types.ObjectId> {
      const existing = await Team.findOne({ name }).lean();
      if (existing) return existing._id;
      try {
        return (await Team.create({ name, description }))._id;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const winner = await Team.findOne({ name }).lean();
        if (!winner) throw err;
        return winner._id;
      }
    },
  };
}
export type UserService = ReturnType<typeof createUserService>;
