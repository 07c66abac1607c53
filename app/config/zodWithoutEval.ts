// zod compiles object schemas into functions with `new Function()` when it
// may, and finds out whether it may by trying `new Function('')` on first
// use. The server's Content-Security-Policy forbids eval
// (server/http/securityHeaders.ts), so that probe is a CSP violation on every
// page load; jitless tells zod to interpret schemas without trying. main.tsx
// imports this first, so it runs before any message is validated.
import { z } from 'zod';

z.config({ jitless: true });
