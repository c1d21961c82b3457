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
}

/** Non-blocking mode (and the executor): the call returns a promise; the loop is free meanwhile. */
export interface AsyncUsers {
  findOne(filter: UsernameFilter): Promise<User | null>;
  insertOne(user: User): Promise<{ insertedId: string }>;
  find(filter: CityFilter, options: ListOptions): Promise<User[]>;
  aggregate(pipeline: Document[]): Promise<Document[]>;
}

/** The 2010 style: asyncmongo's `db.users.find_one(query, callback=...)`. */
export type Callback<T> = (error: Error | null, result: T | null) => void;
export interface CallbackUsers {
  findOne(filter: UsernameFilter, callback: Callback<User>): void;
}
