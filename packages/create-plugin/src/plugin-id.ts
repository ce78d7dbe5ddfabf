const SEGMENT = /^[a-z][a-z0-9-]*$/;

/**
 * Checks a plugin id such as `com.example.my-plugin`: reverse-domain segments of lowercase
 * letters, digits and dashes, each starting with a letter, at least two segments. Returns null
 * when valid, else a message that says how to fix it. (Diaryx uses the id in storage keys as
 * `<id>:<key>`, so a `:` would let two plugins' keys collide.)
 */
export function pluginIdProblem(id: string): string | null {
  if (id.trim() !== id || id === '') return 'The plugin id must not be empty or have spaces around it.';
  const segments = id.split('.');
  if (segments.length < 2) return `"${id}" needs at least two dot-separated parts, like com.example.${id || 'my-plugin'}.`;
  const bad = segments.find((s) => !SEGMENT.test(s));
  if (bad !== undefined) {
    return `"${bad}" in "${id}" is not allowed: use lowercase letters, digits and dashes, starting with a letter.`;
  }
  return null;
}
