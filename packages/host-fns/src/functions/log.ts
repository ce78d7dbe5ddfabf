import { str } from '../runtime/input-schema.js';
import { defineHostFunction } from '../runtime/define.js';
import { type LogFields, pluginLogPrefix } from '../services/logger.js';

/** `host_log {level, message}` → "". Unknown levels (case-sensitive match) log at trace. */
export const hostLog = defineHostFunction('host_log', function* (call) {
  const { level, message } = call.input({ level: str(), message: str() });
  const line = `${pluginLogPrefix(call.pluginId)} ${message}`;
  const fields: LogFields = call.logFields('guest');
  const logger = call.context.logger;
  switch (level) {
    case 'error':
      logger.error(line, fields);
      break;
    case 'warn':
      logger.warn(line, fields);
      break;
    case 'info':
      logger.info(line, fields);
      break;
    case 'debug':
      logger.debug(line, fields);
      break;
    default:
      logger.trace(line, fields);
  }
  return '';
});
