// The log levels a user may choose. A runtime list (not only a type) because
// the configuration validates LOG_LEVEL against it.
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];
