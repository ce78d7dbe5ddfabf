import { describe, expect, it } from 'vitest';
import { recentWrites } from './recent-writes.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('recentWrites: which workspace changes a plugin made', () => {
  it('explains a file whose bytes are what a plugin wrote, naming the plugin', () => {
    const writes = recentWrites({ now: () => 1000 });
    writes.record('acme.index', 'index.md', bytes('# Index'));
    expect(writes.explains('index.md', bytes('# Index'))).toEqual({ pluginId: 'acme.index', path: 'index.md', kind: 'write', atMs: 1000 });
  });

  it('does not explain a user\'s edit made after the plugin\'s write (other bytes, same size too)', () => {
    const writes = recentWrites();
    writes.record('acme.index', 'index.md', bytes('# Index'));
    expect(writes.explains('index.md', bytes('# Indey'))).toBeNull();
    expect(writes.explains('index.md', bytes('# Index, edited'))).toBeNull();
    expect(writes.explains('other.md', bytes('# Index'))).toBeNull();
  });

  it('explains a missing file only by a delete, and a present one only by a write', () => {
    const writes = recentWrites();
    writes.record('p', 'gone.md', null);
    writes.record('p', 'made.md', bytes('x'));
    expect(writes.explains('gone.md', null)).toMatchObject({ kind: 'delete' });
    expect(writes.explains('gone.md', bytes(''))).toBeNull();
    expect(writes.explains('made.md', null)).toBeNull();
  });

  it('keeps the last change per path, and forgets changes older than ttlMs', () => {
    let now = 0;
    const writes = recentWrites({ ttlMs: 100, now: () => now });
    writes.record('p', 'a.md', bytes('one'));
    writes.record('p', 'a.md', bytes('two'));
    expect(writes.explains('a.md', bytes('one'))).toBeNull();
    expect(writes.explains('a.md', bytes('two'))).not.toBeNull();
    now = 101;
    expect(writes.explains('a.md', bytes('two'))).toBeNull();
  });
});
