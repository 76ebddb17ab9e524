/** The example's data: notes kept in memory, one store per app so every test starts empty. */

export interface Note {
  readonly id: number;
  readonly title: string;
  readonly body: string;
}

export class NoteStore {
  readonly #notes = new Map<number, Note>();
  #nextId = 1;

  add(title: string, body: string): Note {
    const note = { id: this.#nextId++, title, body };
    this.#notes.set(note.id, note);
    return note;
  }

  get(id: number): Note | undefined {
    return this.#notes.get(id);
  }

  delete(id: number): boolean {
    return this.#notes.delete(id);
  }

  /** Newest first, `size` per page (pages count from 1). */
  page(page: number, size: number): Note[] {
    const all = [...this.#notes.values()].reverse();
    return all.slice((page - 1) * size, page * size);
  }
}
