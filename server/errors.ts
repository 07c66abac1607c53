// Errors that reach a client, as http-errors' HttpError (the error type
// Express itself uses): a status and a reason a person can read, which become
// a protoo error response or a REST answer, nothing else. Handlers throw them
// with createHttpError(status, reason); everything else is mapped here.
import createHttpError, { type HttpError, isHttpError } from 'http-errors';
import { errors } from 'mediasoup';
import { errorMessage } from './errorMessage.ts';

export { createHttpError, type HttpError, isHttpError };

/**
 * Maps any error out of a handler to a status and a reason. mediasoup rejects
 * bad parameters with TypeError (and UnsupportedError for codecs the router
 * lacks): those are the client's fault, hence 400; NotFoundError (an unknown
 * id inside the worker) is 404; anything else is the server's, 500.
 */
export function toHttpError(error: unknown): HttpError {
	if (isHttpError(error)) return error;
	if (error instanceof TypeError || error instanceof errors.UnsupportedError) {
		return createHttpError(400, error.message);
	}
	if (error instanceof errors.NotFoundError) return createHttpError(404, error.message);
	return createHttpError(500, errorMessage(error));
}
