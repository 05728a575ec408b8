'use strict';
// A Lambda proxy function that answers with what the authorizer passed on.
exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ authorizer: event.requestContext.authorizer }),
});
