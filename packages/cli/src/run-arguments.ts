// Parsing of the arguments `run` and `dev` share: events, config and the timeout. Each bad
// argument throws an Error whose message is the one line the CLI prints (exit code 2).
import { readFile } from 'node:fs/promises';
import { configDepthProblem } from './state-file.js';
import type { GuestEvent } from '@diaryx/loader';

/**
 * `--event`: a JSON event `{"event_type":…,"payload":…}` or a bare event type (payload `{}`).
 * @throws Error naming the argument and the expected form
 */
export function parseEventArg(spec: string): GuestEvent {
  const trimmed = spec.trim();
  if (!trimmed.startsWith('{')) {
    if (!/^[A-Za-z0-9_.:-]+$/.test(trimmed)) throw new Error(`--event ${spec}: give an event type (e.g. file_saved) or JSON {"event_type":…,"payload":{…}}`);
    return { event_type: trimmed, payload: {} };
  }
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (error) {
    throw new Error(`--event is not JSON: ${(error as Error).message} (in ${spec})`);
  }
  const event = value as { event_type?: unknown; payload?: unknown };
  if (typeof event.event_type !== 'string' || event.event_type === '') {
    throw new Error(`--event ${spec}: the JSON needs a string "event_type" (and an optional "payload")`);
  }
  return { event_type: event.event_type, payload: (event.payload ?? {}) as GuestEvent['payload'] };
}

/**
 * `--config`: JSON text, or the path of a JSON file.
 * @throws Error when it is neither
 */
export async function parseConfigArg(spec: string): Promise<unknown> {
  const trimmed = spec.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let config: unknown;
    try {
      config = JSON.parse(trimmed) as unknown;
    } catch (error) {
      throw new Error(`--config is not JSON: ${(error as Error).message}`);
    }
    const problem = configDepthProblem(config);
    if (problem !== null) throw new Error(`--config: ${problem}`);
    return config;
  }
  let text: string;
  try {
    text = await readFile(spec, 'utf8');
  } catch {
    throw new Error(`--config ${spec} is neither JSON nor a readable file: give {"key":…} or the path of a JSON file`);
  }
  let config: unknown;
  try {
    config = JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`--config ${spec} does not hold JSON: ${(error as Error).message}`);
  }
  const problem = configDepthProblem(config);
  if (problem !== null) throw new Error(`--config ${spec}: ${problem}`);
  return config;
}

/**
 * `--timeout-ms`: a whole number of milliseconds above 0.
 * @throws Error otherwise
 */
export function parseTimeoutArg(spec: string): number {
  return parseCountArg('--timeout-ms', spec, 'milliseconds');
}

/** A whole number above 0 given to `option` (`--budget-ms`, `--runs`, …), or an error naming it. */
export function parseCountArg(option: string, spec: string, unit: string): number {
  const value = Number(spec);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${option} ${spec} is not a whole number of ${unit} above 0`);
  return value;
}
