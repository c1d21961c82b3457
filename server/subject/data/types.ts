/**
 * What the handlers see of the `users` collection. The same method names exist in three
 * shapes (blocking, promise, callback) so that the lesson files for each style differ only
 * where the style differs.
 */
import type { Document } from 'mongodb';

/** A user as the seed writes them (server/db/seed.ts); the post's handler reads `first_name`. */
export interface User {
  username: string;
  first_name: string;
  last_name?: string;
  city?: string;
  created_at?: Date;
}

/** A new user as a long-poll answers it: `id` is the ObjectId as hex, the cursor for the next poll. */
export interface NewUser {
  id: string;
  username: string;
  first_name: string;
}

/** Filters are typed so a username is always a string: no `{ $ne: null }` can get through. */
export type UsernameFilter = { username: string };
export type CityFilter = { city: string };
export type ListOptions = { limit: number };

/** Blocking mode: the call returns when MongoDB has answered; nothing else ran meanwhile. */
export interface BlockingUsers {
  findOne(filter: UsernameFilter): User | null;
  insertOne(user: User): { insertedId: string };
  find(filter: CityFilter, options: ListOptions): User[];
  aggregate(pipeline: Document[]): Document[];
  /** Users newer than the id `after`, once there are some; [] after timeoutMs. */
  waitForNewer(after: string, timeoutMs: number): NewUser[];
}

/** Non-blocking mode (and the executor): the call returns a promise; the loop is free meanwhile. */
export interface AsyncUsers {
  findOne(filter: UsernameFilter): Promise<User | null>;
  insertOne(user: User): Promise<{ insertedId: string }>;
  find(filter: CityFilter, options: ListOptions): Promise<User[]>;
  aggregate(pipeline: Document[]): Promise<Document[]>;
  waitForNewer(after: string, timeoutMs: number): Promise<NewUser[]>;
}

/** The 2010 style: asyncmongo's `db.users.find_one(query, callback=...)`. */
export type Callback<T> = (error: Error | null, result: T | null) => void;
export interface CallbackUsers {
  findOne(filter: UsernameFilter, callback: Callback<User>): void;
}
