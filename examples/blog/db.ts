/**
 * The blog's database: one SQLite file, created with its schema on first use (Flask's tutorial
 * runs `flask init-db`; here opening is enough). better-sqlite3 is synchronous, which suits
 * SQLite: a query is a function call, not a network round trip.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

export type Db = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS user (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT UNIQUE NOT NULL,
  password TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS post (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  author_id INTEGER NOT NULL REFERENCES user (id),
  created TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  title TEXT NOT NULL,
  body TEXT NOT NULL
);
`;

export function openDb(file: string): Db {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.exec(SCHEMA);
  return db;
}

export interface User {
  readonly id: number;
  readonly username: string;
  readonly password: string;
}

export interface Post {
  readonly id: number;
  readonly title: string;
  readonly body: string;
  readonly created: string;
  readonly author_id: number;
  readonly username: string;
}
