'use strict';
// The Lambda authorizers of examples/lambda-authorizer. Tokens are "Bearer <user>"; a real
// authorizer would verify a JWT or look a session up instead.
const USERS = { alice: { role: 'admin' }, bob: { role: 'reader' } };

function policy(effect, resource) {
  return {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  };
}

/** TOKEN authorizer: admins may call everything, readers only GET; unknown users are Unauthorized (401). */
exports.token = async (event) => {
  const user = event.authorizationToken.slice('Bearer '.length);
  const known = USERS[user];
  if (!known) throw new Error('Unauthorized');
  // Everything of this API and stage: arn:aws:execute-api:{region}:{account}:{api}/{stage}/*
  const [arn, stage] = event.methodArn.split('/');
  const resource = known.role === 'admin' ? `${arn}/${stage}/*` : `${arn}/${stage}/GET/*`;
  return { principalId: user, policyDocument: policy('Allow', resource), context: { role: known.role } };
};

/** REQUEST authorizer: a tenant header and an api-version query parameter; tenant "blocked" is denied. */
exports.request = async (event) => {
  const tenant = event.headers['X-Tenant'] ?? event.headers['x-tenant'];
  const effect = tenant === 'blocked' ? 'Deny' : 'Allow';
  return {
    principalId: `tenant-${tenant}`,
    policyDocument: policy(effect, event.methodArn),
    context: { tenant, apiVersion: event.queryStringParameters.version },
  };
};
