// Redaction of a trace: every secret the plugin read through `host_secret_get` (or wrote with
// `host_secret_set`), and every string or pattern the app configured, is replaced wherever it
// appears: host-call inputs and outputs, the plugin's inputs, outputs, errors and logs. A secret
// is looked for as written, JSON-escaped, URL-encoded and base64-encoded, since a plugin may pass
// it on in any of those forms (an HTTP header, a stored value).

import { encodeBase64, encodeUtf8 } from '@diaryx/host-fns';

/** The most distinct secrets a recorder remembers; past it, recording stops (see PluginRecorder). */
export const MAX_KNOWN_SECRETS = 1024;
/** The most bytes of distinct secrets a recorder remembers. */
export const MAX_KNOWN_SECRET_BYTES = 4 * 1024 * 1024;
/** Below this many UTF-8 bytes a secret is not looked for in base64 (its encoding would be too short to tell). */
const MIN_BASE64_SECRET_BYTES = 6;

interface Form {
  text: string;
  label: string;
}

/** The base64 text that any base64 encoding of `bytes` contains, at each of the three alignments. */
function base64Cores(bytes: Uint8Array): string[] {
  const cores: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = new Uint8Array(shift + bytes.length);
    padded.set(bytes, shift);
    const encoded = encodeBase64(padded).replace(/=+$/, '');
    // Characters that depend on the bytes before or after the secret are cut off.
    const first = Math.ceil((shift * 8) / 6);
    const last = Math.floor(((shift + bytes.length) * 8) / 6);
    const core = encoded.slice(first, last);
    if (core.length >= 4) cores.push(core, core.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return cores;
}

/** The forms a value may take in a trace. */
function formsOf(value: string, label: string): Form[] {
  const texts = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]);
  const bytes = encodeUtf8(value);
  if (bytes.length >= MIN_BASE64_SECRET_BYTES) for (const core of base64Cores(bytes)) texts.add(core);
  return [...texts].filter((text) => text.length > 0).map((text) => ({ text, label }));
}

/** Latin-1 text of bytes: one character per byte, so byte sequences can be searched as text. */
function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

function fromLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/**
 * Replaces secrets and configured strings in the texts and bytes of a trace. The same value
 * always gets the same placeholder (`[secret 1]`, `[redacted 2]`; `[redacted]` for a pattern),
 * so a replay that hands the placeholder to the plugin as its secret sees the same trace again.
 */
export class Redactor {
  readonly #labels = new Map<string, string>();
  #forms: Form[] = [];
  #latin1Forms: Form[] | null = null;
  readonly #patterns: RegExp[];
  #secretBytes = 0;
  #secrets = 0;
  #redacted = 0;
  /** Placeholders that appeared in what was redacted since the last {@link takeUsed}. */
  readonly #used = new Set<string>();

  constructor(configured: readonly (string | RegExp)[] = []) {
    this.#patterns = [];
    for (const item of configured) {
      if (typeof item === 'string') {
        if (item !== '' && !this.#labels.has(item)) this.#add(item, `[redacted ${++this.#redacted}]`);
      } else {
        this.#patterns.push(new RegExp(item.source, item.flags.includes('g') ? item.flags : `${item.flags}g`));
      }
    }
  }

  /**
   * Remembers a secret the plugin saw. Returns false when the recorder already remembers as many
   * secrets as it can (then nothing it records can be shown safely).
   */
  addSecret(value: string): boolean {
    if (value === '' || this.#labels.has(value)) return true;
    if (this.#secrets >= MAX_KNOWN_SECRETS || this.#secretBytes + value.length > MAX_KNOWN_SECRET_BYTES) return false;
    this.#secrets++;
    this.#secretBytes += value.length;
    this.#add(value, `[secret ${this.#secrets}]`);
    return true;
  }

  #add(value: string, label: string): void {
    this.#labels.set(value, label);
    // Longer forms first, so a form containing another wins where both match.
    this.#forms = [...this.#forms, ...formsOf(value, label)].sort((a, b) => b.text.length - a.text.length);
    this.#latin1Forms = null;
  }

  /** How many distinct placeholders the values redacted since the last call used. */
  takeUsed(): number {
    const used = this.#used.size;
    this.#used.clear();
    return used;
  }

  /** The text with every secret and configured string or pattern replaced. */
  text(value: string): string {
    return this.#replace(value, this.#forms);
  }

  /** The bytes with every secret and configured string or pattern (matched byte-wise) replaced. */
  bytes(value: Uint8Array): Uint8Array {
    if (this.#forms.length === 0 && this.#patterns.length === 0) return value;
    this.#latin1Forms ??= this.#forms.map((form) => ({ text: latin1(encodeUtf8(form.text)), label: form.label }));
    const text = latin1(value);
    const replaced = this.#replace(text, this.#latin1Forms);
    return replaced === text ? value : fromLatin1(replaced);
  }

  #replace(text: string, forms: readonly Form[]): string {
    if (text === '' || (forms.length === 0 && this.#patterns.length === 0)) return text;
    const ranges: { start: number; end: number; label: string }[] = [];
    for (const form of forms) {
      for (let at = text.indexOf(form.text); at >= 0; at = text.indexOf(form.text, at + 1)) {
        ranges.push({ start: at, end: at + form.text.length, label: form.label });
      }
    }
    for (const pattern of this.#patterns) {
      pattern.lastIndex = 0;
      for (const match of text.matchAll(pattern)) {
        if (match[0].length > 0) ranges.push({ start: match.index, end: match.index + match[0].length, label: '[redacted]' });
      }
    }
    if (ranges.length === 0) return text;
    ranges.sort((a, b) => a.start - b.start || b.end - a.end);
    let out = '';
    let at = 0;
    for (const range of ranges) {
      if (range.end <= at) continue;
      if (range.start >= at) {
        out += text.slice(at, range.start) + range.label;
        this.#used.add(range.label);
      }
      // An overlapping range extends the one already replaced.
      at = range.end;
    }
    return out + text.slice(at);
  }
}
