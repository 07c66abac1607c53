// What every bench scenario hands back: the same shape for fanout, raw, join
// and rooms, so one report (JSON, text, HTML with plots) renders them all.

export type Scalar = number | string | boolean;

export interface ScenarioReport {
	/** 'fanout', 'raw', 'join', 'rooms', ... */
	scenario: string;
	title: string;
	/** What the run was asked to do (workers, room spread, sizes, durations). */
	parameters: Record<string, Scalar>;
	/** One row per step (fanout: per receiver count; join: per peer or batch of peers). */
	rows: Record<string, number>[];
	/** The headline numbers of the run. */
	summary: Record<string, Scalar>;
	/** Which row columns to plot against which. */
	plots: { title: string; x: string; y: string[] }[];
}
