// `.help`: the REPL's commands (ours and Node's own), what is in scope, and
// the one thing to know: this is the server process itself.
import type { REPLCommand } from 'node:repl';
import { SCOPE_HELP } from './scope.ts';

export function helpText(commands: Readonly<Record<string, REPLCommand | undefined>>): string {
	const listed = Object.entries(commands)
		.flatMap(([name, command]) => (command ? [[`.${name}`, command.help ?? ''] as const] : []))
		.sort(([a], [b]) => a.localeCompare(b));
	return [
		'Commands:',
		...table(listed),
		'',
		'In scope (besides Node globals):',
		...table(SCOPE_HELP),
		'',
		'JavaScript runs inside the server process (top-level await works): what you change or close is',
		'changed or closed for everyone, and process.exit() stops the server. .exit or Ctrl-D leaves the',
		'terminal; the server keeps running.',
		'',
	].join('\n');
}

function table(rows: readonly (readonly [string, string])[]): string[] {
	const width = Math.max(...rows.map(([name]) => name.length));
	return rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`);
}
