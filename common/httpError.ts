/**
 * An error that carries the HTTP status it should produce: thrown by input validation in
 * the lab's API (Fastify reads `statusCode`) and in the subject's handlers alike.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
