// Reading and writing nested settings by path on values that are not yet
// validated (the raw contents of config.ts).

export function getPath(target: unknown, path: readonly PropertyKey[]): unknown {
	let current = target;
	for (const key of path) {
		if (typeof current !== 'object' || current === null) return undefined;
		current = Reflect.get(current, key) as unknown;
	}
	return current;
}

/** A copy of `target` with `path` set to `value`; only the objects along the path are copied. */
export function withValue(target: unknown, path: readonly string[], value: unknown): unknown {
	const [head, ...rest] = path;
	if (head === undefined) return value;
	const base = isRecord(target) ? target : {};
	return { ...base, [head]: withValue(base[head], rest, value) };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
