// The short texts of PluginLoadError.userMessage and PluginCallError.userMessage: what an app
// can show its user. They name the plugin and what happened in plain words; never a path, a
// temporary file, a stack or an engine's wording (those stay in `message`).
import type { PluginCallErrorDetails, PluginCallErrorKind, PluginLoadErrorDetails, PluginLoadErrorKind } from './errors.js';

/** A quoted name, cut to a length a dialog can show, with anything path-like left out. */
function named(name: string): string {
  const short = name.includes('/') || name.includes('\\') ? (name.split(/[\\/]/).filter(Boolean).pop() ?? 'plugin') : name;
  return `"${short.length > 60 ? `${short.slice(0, 57)}…` : short}"`;
}

function duration(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

function size(bytes: number): string {
  const mib = bytes / 2 ** 20;
  return mib >= 1 ? `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

/** A guest's own text, cut to one short line. */
function guestText(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

/** The user text of a load failure (see {@link PluginLoadError.userMessage}). */
export function loadUserMessage(kind: PluginLoadErrorKind, pluginName: string, details: PluginLoadErrorDetails): string {
  const plugin = named(pluginName);
  switch (kind) {
    case 'read_dir':
      return 'The plugins could not be read from disk.';
    case 'plugin_create':
      return `The plugin ${plugin} could not be started: it is damaged or not a plugin for this app.`;
    case 'manifest_call':
      return `The plugin ${plugin} could not be started: it failed while describing itself.`;
    case 'manifest_parse':
      return `The plugin ${plugin} could not be started: its description is invalid.`;
    case 'protocol_mismatch':
      return `The plugin ${plugin} was built for another version of the plugin protocol (v${details.guestVersion}; this app supports v${details.min} to v${details.max}).`;
    case 'app_version_too_old':
      return `The plugin ${plugin} needs Diaryx ${details.required} or later (this is ${details.running}).`;
    case 'invalid_id':
      return `The plugin ${plugin} has an invalid id.`;
    case 'duplicate_id':
      return `The plugin ${plugin} was not loaded: another plugin already uses its id${details.id === undefined ? '' : ` (${details.id})`}.`;
  }
}

/** The user text of a call failure (see {@link PluginCallError.userMessage}). */
export function callUserMessage(kind: PluginCallErrorKind, pluginName: string, exportName: string, details: PluginCallErrorDetails): string {
  const plugin = named(pluginName);
  switch (kind) {
    case 'guest_error':
      return details.guestMessage ? `The plugin ${plugin} reported an error: ${guestText(details.guestMessage)}` : `The plugin ${plugin} reported an error.`;
    case 'trap':
      return `The plugin ${plugin} crashed while handling this request.`;
    case 'missing_export':
      return `The plugin ${plugin} does not support this request.`;
    case 'host_trap':
      return `The plugin ${plugin} was stopped because the app refused one of its requests.`;
    case 'timeout':
      return `The plugin ${plugin} took longer than ${duration(details.timeoutMs ?? 0)} and was stopped.`;
    case 'invalid_response':
      return `The plugin ${plugin} gave an answer the app cannot read.`;
    case 'input_too_large':
      return `This is too large for the plugin ${plugin} (${size(details.bytes ?? 0)}; the limit is ${size(details.limit ?? 0)}).`;
    case 'invalid_input':
      return `The app could not send this request to the plugin ${plugin}.`;
    case 'config_write':
      return `The settings of the plugin ${plugin} could not be saved.`;
    case 'aborted':
      return `The request to the plugin ${plugin} was cancelled.`;
    case 'exit':
      return `The plugin ${plugin} quit unexpectedly (exit code ${details.exitCode}).`;
    case 'closed':
      return `The plugin ${plugin} is not running.`;
    case 'not_declared':
      return `The plugin ${plugin} has no command "${details.command ?? exportName}".`;
    case 'not_loaded':
      return details.state === 'failed' ? `The plugin ${plugin} failed to load.` : `No plugin ${plugin} is installed.`;
  }
}
