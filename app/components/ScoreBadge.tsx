// The media quality score mediasoup reports (0..10): green is good.
export function ScoreBadge({ label, score, testId }: { label: string; score: number | null; testId: string }) {
	if (score === null) return null;
	const level = score >= 8 ? 'good' : score >= 5 ? 'fair' : 'poor';
	return (
		<span
			className={`badge score score-${level}`}
			data-testid={testId}
			data-score={score}
			title={`${label} quality ${score}/10`}
		>
			{label} {score}
		</span>
	);
}
