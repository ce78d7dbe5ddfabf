import { str } from '../runtime/input-schema.js';
import { defineHostFunction } from '../runtime/define.js';

/** `host_log {level, message}` → "". Unknown levels (case-sensitive match) log at trace. */
export const hostLog = defineHostFunction('host_log', function* (call) {
  const { level, message } = call.input({ level: str(), message: str() });
  const line = `[extism-plugin ${call.pluginId}] ${message}`;
  const logger = call.context.logger;
  switch (level) {
    case 'error':
      logger.error(line);
      break;
    case 'warn':
      logger.warn(line);
      break;
    case 'info':
      logger.info(line);
      break;
    case 'debug':
      logger.debug(line);
      break;
    default:
      logger.trace(line);
  }
  return '';
});
