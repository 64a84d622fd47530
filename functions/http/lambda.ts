// The one place that uses hono/aws-lambda (deprecated in hono 4.13 in favour of a package
// that is not published yet); swap the adapter here when it is.
export { handle } from 'hono/aws-lambda';
export type { LambdaEvent } from 'hono/aws-lambda';
