// What the CLI hands every scenario besides its own options: the server to
// measure (started by the bench or attached to) and where progress goes.
import type { ServerUnderTest } from './ServerUnderTest.ts';

export interface ScenarioContext {
	server: ServerUnderTest;
	/** One line of progress for the operator (stderr); not part of the results. */
	progress(line: string): void;
}
