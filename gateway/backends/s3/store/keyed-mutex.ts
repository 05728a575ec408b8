/** Runs async sections one at a time per key, in the order they asked; different keys run in parallel. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** True while a section for `key` runs or waits to. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }

  /** Runs `section` once every earlier section for `key` has finished. */
  async run<T>(key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await section();
    } finally {
      release();
      // Only the last waiter may drop the entry, or a later one would lose its place in line.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
