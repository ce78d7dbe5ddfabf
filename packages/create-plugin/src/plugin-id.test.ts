import { describe, expect, it } from 'vitest';
import { pluginIdProblem } from './plugin-id.js';

describe('pluginIdProblem', () => {
  it.each(['com.example.my-plugin', 'acme.wordcount', 'a.b2'])('accepts %s', (id) => {
    expect(pluginIdProblem(id)).toBeNull();
  });

  it.each([
    ['', 'empty'],
    [' com.example.x', 'spaces'],
    ['plugin', 'two dot-separated parts'],
    ['com.Example.x', '"Example"'],
    ['com.example.my:plugin', '"my:plugin"'],
    ['com..x', '""'],
    ['com.1abc', '"1abc"'],
  ])('rejects %j with a message naming the problem', (id, fragment) => {
    expect(pluginIdProblem(id)).toContain(fragment);
  });
});
