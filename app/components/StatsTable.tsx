// One stats object as a small table; every value carries data-stat (its
// name) and data-source (browser or server) so it can be found.
import type { StatsRow } from '../stats/statsRows.ts';

export function StatsTable({ rows, source }: { rows: StatsRow[]; source: 'browser' | 'server' }) {
	if (rows.length === 0) return <p className="stats-empty">no data</p>;
	return (
		<div className="stats-tables">
			{rows.map((row, index) => (
				// biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position
				<table key={index} className="stats-table" data-type={row.type} data-source={source}>
					<caption>
						{row.type}
						{row.label ? ` · ${row.label}` : ''}
					</caption>
					<tbody>
						{row.values.map(([name, value]) => (
							<tr key={name}>
								<th scope="row">{name}</th>
								<td data-stat={name} data-source={source}>
									{String(value)}
								</td>
							</tr>
						))}
					</tbody>
				</table>
			))}
		</div>
	);
}
