import { EventEmitter } from 'node:events';
import type { PbxDirectory } from './directory.js';

/**
 * The names of V20's five forwarding profiles, as `Users.CurrentProfileName` carries them.
 * [INFERRED] from the schema: `Pbx.ForwardingProfile.Name` plus `SystemParameters.Custom1Name`/
 * `Custom2Name` (the clients show "Do Not Disturb" for `Out of office` and let the admin rename
 * the custom two); the field only says "Available, Away, DND, Lunch, etc." ([FIELD] REDiTECH).
 */
export const PROFILE_NAMES = ['Available', 'Away', 'Out of office', 'Custom 1', 'Custom 2'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** `Pbx.QueueStatusType` ([OFFICIAL] swagger): global, for every queue the agent is in ([FIELD] REDiTECH). */
export type QueueStatusType = 'LoggedIn' | 'LoggedOut';

/** One user (extension) as XAPI `Users` shows it. */
export interface SimUser {
  /** XAPI `Id` (the key in `Users({Id})`), not the extension number. */
  id: number;
  number: string;
  firstName: string;
  lastName: string;
  profile: string;
  queueStatus: QueueStatusType;
  registered: boolean;
}

/** What `/__sim/users/{number}` and `sim.users.set()` may change. */
export interface UserPatch {
  profile?: string;
  queueStatus?: QueueStatusType;
  registered?: boolean;
}

/** One queue as XAPI `Queues` shows it, with its agents (extension numbers). */
export interface SimQueue {
  id: number;
  number: string;
  name: string;
  agents: string[];
}

/**
 * Users (extensions) with presence profile, queue login and registration, and the queues with
 * their agents, as XAPI serves them. Everyone starts `Available`, logged in and registered.
 * Emits `change` ({@link SimUser}) on every change.
 */
export class UserStore extends EventEmitter {
  private readonly users = new Map<string, SimUser>();
  readonly queues: SimQueue[];

  constructor(dir: PbxDirectory) {
    super();
    dir.extensions.forEach((e, i) => {
      const [firstName = e.name, ...rest] = e.name.split(' ');
      this.users.set(e.number, {
        id: i + 1,
        number: e.number,
        firstName,
        lastName: rest.join(' '),
        profile: 'Available',
        queueStatus: 'LoggedIn',
        registered: true,
      });
    });
    this.queues = [{ id: 1, number: dir.queue.number, name: dir.queue.name, agents: [...dir.queue.agents] }];
  }

  list(): SimUser[] {
    return [...this.users.values()];
  }

  get(number: string): SimUser | undefined {
    return this.users.get(number);
  }

  /** Changes a user; throws on an unknown extension or value. Returns the user as it is now. */
  set(number: string, patch: UserPatch): SimUser {
    const user = this.users.get(number);
    if (!user) throw new UserError(`no extension ${number}`);
    if (patch.profile !== undefined && !(PROFILE_NAMES as readonly string[]).includes(patch.profile))
      throw new UserError(`profile must be one of ${PROFILE_NAMES.join(', ')}`);
    if (patch.queueStatus !== undefined && !['LoggedIn', 'LoggedOut'].includes(patch.queueStatus))
      throw new UserError('queueStatus must be LoggedIn or LoggedOut');
    if (patch.registered !== undefined && typeof patch.registered !== 'boolean')
      throw new UserError('registered must be true or false');
    Object.assign(user, patch);
    this.emit('change', user);
    return user;
  }

  /** Replaces a queue's agents (as a PATCH of `Queues({id})` with an `Agents` array does on 3CX). */
  setQueueAgents(queue: string, agents: string[]): SimQueue {
    const q = this.queues.find((x) => x.number === queue);
    if (!q) throw new UserError(`no queue ${queue}`);
    const unknown = agents.filter((a) => !this.users.has(a));
    if (unknown.length) throw new UserError(`no extension ${unknown.join(', ')}`);
    q.agents = [...new Set(agents)];
    this.emit('change');
    return q;
  }

  /** Whether a queue may ring this agent: logged in, registered, and not out of office. */
  canTakeQueueCall(number: string): boolean {
    const u = this.users.get(number);
    return !!u && u.queueStatus === 'LoggedIn' && u.registered && u.profile !== 'Out of office';
  }
}

/** A refused user change (400 on the control API). */
export class UserError extends Error {
  override name = 'UserError';
}
