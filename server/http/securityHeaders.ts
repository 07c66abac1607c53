// Security headers of every answer of the HTTPS port, with helmet: what the
// browser may load and run on the app's page (Content-Security-Policy), that
// no other site frames it, that no URL leaves it as a Referer (the page's URL
// can carry the access token), and, with a real certificate only, that the
// browser keeps to HTTPS (HSTS).
import helmet from 'helmet';

/** How long a browser keeps to HTTPS after one visit (HSTS max-age): 180 days, as commonly advised. */
export const HSTS_MAX_AGE_SECONDS = 180 * 24 * 60 * 60;

/**
 * The app is one bundle of our own (main.js, main.css) plus the E2EE worker
 * (e2eeWorker.js), all served from this origin, and talks to this origin only
 * (the protoo WebSocket: CSP 3 lets 'self' match wss: on the same host and
 * port). Media from getUserMedia and from WebRTC reach <video> through
 * srcObject, which CSP does not govern. React sets style through the CSSOM,
 * which CSP allows, so no inline style is needed either.
 */
export const CONTENT_SECURITY_POLICY = {
	defaultSrc: ["'self'"],
	scriptSrc: ["'self'"],
	scriptSrcAttr: ["'none'"],
	styleSrc: ["'self'"],
	workerSrc: ["'self'"],
	connectSrc: ["'self'"],
	imgSrc: ["'self'"],
	fontSrc: ["'self'"],
	mediaSrc: ["'self'"],
	objectSrc: ["'none'"],
	baseUri: ["'self'"],
	formAction: ["'self'"],
	frameAncestors: ["'none'"],
	upgradeInsecureRequests: [],
};

export function securityHeaders({ hsts }: { hsts: boolean }) {
	return helmet({
		contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
		// Not with the generated self-signed certificate: under HSTS a browser
		// offers no way past a certificate warning, so the demo would become
		// unreachable on that name (for 180 days).
		strictTransportSecurity: hsts ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: false } : false,
		xFrameOptions: { action: 'deny' },
		// The page's URL may hold ?token=: it must never travel to another site.
		referrerPolicy: { policy: 'no-referrer' },
	});
}
