import { Types } from 'mongoose';
import { isDuplicateKey } from '../db/models';
import type { BusinessCalendar } from '../routing/business-hours.calculator';
import { hashPassword } from './password';
import { calendarOf, storedCalendar } from './team-calendar';
import type { FloorAlertLimits, TeamDoc, TeamModel } from './team.model';
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
  phone?: string;
  timeZone?: string;
}

export interface UserChanges {
  name?: string;
  role?: Role;
  teams?: string[];
  skills?: string[];
  languages?: string[];
  maxConcurrent?: { chat: number; async: number };
  active?: boolean;
  password?: string;
  locale?: string;
  phone?: string;
  timeZone?: string;
}

export interface TeamChanges {
  name?: string;
  description?: string;
  /** A validated calendar, or null to count around the clock again. */
  businessHours?: BusinessCalendar | null;
  /** Queue limits that alert the team's supervisors (null: none). */
  floorAlerts?: FloorAlertLimits | null;
}

export class Conflict extends Error {
  constructor(
    message: string,
    /** The input field at fault and what to say there, when one is (problem+json `errors`). */
    readonly field?: { field: string; message: string; code: string },
  ) {
    super(message);
    this.name = 'Conflict';
  }
}

const oid = (id: string): Types.ObjectId | null => (Types.ObjectId.isValid(id) ? new Types.ObjectId(id) : null);

export function createUserService(deps: { User: UserModel; Team: TeamModel }) {
  const { User, Team } = deps;

  async function knownTeams(ids: string[]): Promise<Types.ObjectId[]> {
    const teams = await Promise.all(ids.map((id) => (oid(id) ? Team.findById(id, { _id: 1 }).lean() : null)));
    const missing = ids.filter((_, i) => !teams[i]);
    if (missing.length) throw new Conflict(`unknown team(s): ${missing.join(', ')}`, { field: 'teams', message: 'unknown team', code: 'unknown_reference' });
    return teams.map((t) => t!._id);
  }

  return {
    list(filter: { team?: string; role?: Role; active?: boolean } = {}): Promise<UserDoc[]> {
      const q: Record<string, unknown> = {};
      if (filter.team && oid(filter.team)) q.teams = oid(filter.team);
      if (filter.role) q.role = filter.role;
      if (filter.active !== undefined) q.active = filter.active;
      return User.find(q).sort({ name: 1 }).lean();
    },
    get(id: string): Promise<UserDoc | null> {
      return oid(id) ? User.findById(id).lean() : Promise.resolve(null);
    },
    /** Creates a user; a taken email is a {@link Conflict}. */
    async create(input: Omit<NewUser, 'teams'> & { teams?: string[] }): Promise<UserDoc> {
      const teams = await knownTeams(input.teams ?? []);
      try {
        const doc = await User.create({ ...input, email: input.email.trim().toLowerCase(), teams, passwordHash: await hashPassword(input.password) });
        return doc.toObject<UserDoc>();
      } catch (err) {
        if (isDuplicateKey(err)) throw new Conflict(`a user with email ${input.email} exists`, { field: 'email', message: 'already in use', code: 'already_in_use' });
        throw err;
      }
    },
    async update(id: string, changes: UserChanges): Promise<UserDoc | null> {
      if (!oid(id)) return null;
      const { password, teams, ...rest } = changes;
      const set: Record<string, unknown> = { ...rest };
      if (teams) set.teams = await knownTeams(teams);
      if (password) set.passwordHash = await hashPassword(password);
      await User.updateOne({ _id: id }, { $set: set });
      return User.findById(id).lean();
    },
    listTeams(): Promise<TeamDoc[]> {
      return Team.find({}).sort({ name: 1 }).lean();
    },
    getTeam(id: string): Promise<TeamDoc | null> {
      return oid(id) ? Team.findById(id).lean() : Promise.resolve(null);
    },
    async createTeam(name: string, description = '', businessHours: BusinessCalendar | null = null, floorAlerts: FloorAlertLimits | null = null): Promise<TeamDoc> {
      try {
        return (await Team.create({ name, description, businessHours: businessHours ? storedCalendar(businessHours) : null, floorAlerts })).toObject<TeamDoc>();
      } catch (err) {
        if (isDuplicateKey(err)) throw new Conflict(`a team named ${name} exists`, { field: 'name', message: 'already in use', code: 'already_in_use' });
        throw err;
      }
    },
    async updateTeam(id: string, changes: TeamChanges): Promise<TeamDoc | null> {
      if (!oid(id)) return null;
      const { businessHours, ...rest } = changes;
      const set: Record<string, unknown> = { ...rest };
      if (businessHours !== undefined) set.businessHours = businessHours ? storedCalendar(businessHours) : null;
      try {
        if (Object.keys(set).length > 0) await Team.updateOne({ _id: id }, { $set: set });
      } catch (err) {
        if (isDuplicateKey(err)) throw new Conflict(`a team named ${changes.name ?? ''} exists`, { field: 'name', message: 'already in use', code: 'already_in_use' });
        throw err;
      }
      return Team.findById(id).lean();
    },
    /** Every team's business hours (null = none), for the SLA clocks' in-memory calendar map. */
    async teamCalendars(): Promise<Array<{ teamId: string; calendar: BusinessCalendar | null }>> {
      const teams = await Team.find({}, { businessHours: 1 }).lean();
      return teams.map((t) => ({ teamId: t._id.toString(), calendar: calendarOf(t.businessHours) }));
    },
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
