// An error a request handler throws on purpose: it becomes a protoo error
// response or an HTTP error with this status and reason, nothing else.
import { errors } from 'mediasoup';
import { errorMessage } from '../errorMessage.ts';

export type ErrorStatus = 400 | 403 | 404 | 409 | 500;

export class RequestError extends Error {
	readonly status: ErrorStatus;

	constructor(status: ErrorStatus, reason: string) {
		super(reason);
		this.name = 'RequestError';
		this.status = status;
	}
}

/**
 * Maps any error out of a handler to a status and a reason a person can read.
 * mediasoup rejects bad parameters with TypeError (and UnsupportedError for
 * codecs the router lacks): those are the client's fault, hence 400;
 * NotFoundError (an unknown id inside the worker) is 404.
 */
export function toRequestError(error: unknown): RequestError {
	if (error instanceof RequestError) return error;
	if (error instanceof TypeError || error instanceof errors.UnsupportedError) {
		return new RequestError(400, error.message);
	}
	if (error instanceof errors.NotFoundError) return new RequestError(404, error.message);
	return new RequestError(500, errorMessage(error));
}
