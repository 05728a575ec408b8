import type { IncomingHttpHeaders } from 'node:http';
import { S3Errors } from './errors';
import type { Owner, OwnerDirectory } from './identity';
import type { Grant, Grantee, Permission } from './store/types';
import { childrenOf, el, listOf, S3_NS, textOf, type Xml } from './xml';

/** The predefined groups of S3 ACLs. */
export const GROUPS = {
  allUsers: 'http://acs.amazonaws.com/groups/global/AllUsers',
  authenticatedUsers: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
  logDelivery: 'http://acs.amazonaws.com/groups/s3/LogDelivery',
} as const;

const KNOWN_GROUPS = new Set<string>(Object.values(GROUPS));
const PERMISSIONS = new Set<Permission>(['FULL_CONTROL', 'WRITE', 'WRITE_ACP', 'READ', 'READ_ACP']);
// The AWS account that `aws-exec-read` grants READ (EC2 reading AMI bundles).
const EC2: Grantee = {
  type: 'CanonicalUser',
  id: '6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c',
  displayName: 'za-team',
};

/** The canned ACLs S3 knows (x-amz-acl). */
export const CANNED_ACLS = new Set([
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
]);

const GRANT_HEADERS: Array<[string, Permission]> = [
  ['x-amz-grant-read', 'READ'],
  ['x-amz-grant-write', 'WRITE'],
  ['x-amz-grant-read-acp', 'READ_ACP'],
  ['x-amz-grant-write-acp', 'WRITE_ACP'],
  ['x-amz-grant-full-control', 'FULL_CONTROL'],
];

function user(owner: Owner): Grantee {
  return { type: 'CanonicalUser', id: owner.id, displayName: owner.displayName };
}

function group(uri: string): Grantee {
  return { type: 'Group', uri };
}

/** The grants of the private ACL: the owner's FULL_CONTROL. */
export function privateAcl(owner: Owner): Grant[] {
  return [{ grantee: user(owner), permission: 'FULL_CONTROL' }];
}

/**
 * The grants a canned ACL stands for. Group grants come first and the owner's FULL_CONTROL last,
 * the order s3-tests' grant checks can digest
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html).
 */
export function cannedAcl(name: string, owner: Owner, bucketOwner: Owner): Grant[] {
  const full = privateAcl(owner);
  switch (name) {
    case 'private':
      return full;
    case 'public-read':
      return [{ grantee: group(GROUPS.allUsers), permission: 'READ' }, ...full];
    case 'public-read-write':
      return [
        { grantee: group(GROUPS.allUsers), permission: 'READ' },
        { grantee: group(GROUPS.allUsers), permission: 'WRITE' },
        ...full,
      ];
    case 'authenticated-read':
      return [{ grantee: group(GROUPS.authenticatedUsers), permission: 'READ' }, ...full];
    case 'aws-exec-read':
      return [{ grantee: EC2, permission: 'READ' }, ...full];
    case 'bucket-owner-read':
      return bucketOwner.id === owner.id
        ? full
        : [...full, { grantee: user(bucketOwner), permission: 'READ' }];
    case 'bucket-owner-full-control':
      return bucketOwner.id === owner.id
        ? full
        : [...full, { grantee: user(bucketOwner), permission: 'FULL_CONTROL' }];
    case 'log-delivery-write':
      return [
        { grantee: group(GROUPS.logDelivery), permission: 'WRITE' },
        { grantee: group(GROUPS.logDelivery), permission: 'READ_ACP' },
        ...full,
      ];
    default:
      throw S3Errors.invalidArgument('', 'x-amz-acl', name);
  }
}

/** Resolves a grantee named by canonical id, e-mail address or group URI to what the store keeps. */
function resolveGrantee(
  kind: 'id' | 'emailAddress' | 'uri',
  value: string,
  directory: OwnerDirectory,
): Grantee {
  if (kind === 'uri') {
    if (!KNOWN_GROUPS.has(value)) throw S3Errors.invalidArgument('Invalid group uri', 'uri', value);
    return group(value);
  }
  if (kind === 'id') {
    const owner = directory.byId(value);
    if (!owner) throw S3Errors.invalidArgument('Invalid id', 'CanonicalUser/ID', value);
    return user(owner);
  }
  const owner = directory.byEmail(value);
  if (!owner) throw S3Errors.unresolvableGrantByEmailAddress(value);
  return user(owner);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * The ACL a request sets with headers: `x-amz-acl` (canned) or `x-amz-grant-*` (explicit grants,
 * `id="…", uri="…", emailAddress="…"`); undefined when it has neither. Both at once → InvalidRequest.
 */
export function aclFromHeaders(
  headers: IncomingHttpHeaders,
  owner: Owner,
  bucketOwner: Owner,
  directory: OwnerDirectory,
): Grant[] | undefined {
  const canned = header(headers, 'x-amz-acl');
  const grantHeaders = GRANT_HEADERS.filter(([name]) => header(headers, name) !== undefined);
  if (canned !== undefined && grantHeaders.length > 0) {
    throw S3Errors.invalidRequest('Specifying both Canned ACLs and Header Grants is not allowed');
  }
  if (canned !== undefined) {
    if (!CANNED_ACLS.has(canned.trim())) throw S3Errors.invalidArgument('', 'x-amz-acl', canned);
    return cannedAcl(canned.trim(), owner, bucketOwner);
  }
  if (grantHeaders.length === 0) return undefined;
  const grants: Grant[] = [];
  for (const [name, permission] of grantHeaders) {
    const value = header(headers, name) as string;
    const items = value.split(',').map((item) => item.trim());
    for (const item of items) {
      const m = /^(id|uri|emailAddress)\s*=\s*"?([^"]*)"?$/i.exec(item);
      if (!m) throw S3Errors.invalidArgument('Invalid grant', name, value);
      const kind =
        m[1].toLowerCase() === 'emailaddress' ? 'emailAddress' : (m[1].toLowerCase() as 'id' | 'uri');
      grants.push({ grantee: resolveGrantee(kind, m[2], directory), permission });
    }
  }
  return grants;
}

/** Reads an AccessControlPolicy document (PutBucketAcl/PutObjectAcl body) into grants. */
export function aclFromXml(doc: Record<string, unknown>, directory: OwnerDirectory): Grant[] {
  const policy = childrenOf(doc.AccessControlPolicy);
  if (!policy) throw S3Errors.malformedACL();
  const owner = childrenOf(policy.Owner);
  if (!owner || textOf(owner, 'ID') === undefined) throw S3Errors.malformedACL();
  const list = policy.AccessControlList;
  const grants: Grant[] = [];
  for (const entry of listOf(childrenOf(list), 'Grant')) {
    const grant = childrenOf(entry);
    const grantee = childrenOf(grant?.Grantee);
    const permission = textOf(grant, 'Permission')?.trim() as Permission | undefined;
    if (!grantee || permission === undefined || !PERMISSIONS.has(permission)) throw S3Errors.malformedACL();
    // The parser drops attributes (xsi:type), so the grantee's kind follows from its child element.
    const id = textOf(grantee, 'ID');
    const uri = textOf(grantee, 'URI');
    const email = textOf(grantee, 'EmailAddress');
    let resolved: Grantee;
    if (id !== undefined) resolved = resolveGrantee('id', id.trim(), directory);
    else if (uri !== undefined) resolved = resolveGrantee('uri', uri.trim(), directory);
    else if (email !== undefined) resolved = resolveGrantee('emailAddress', email.trim(), directory);
    else throw S3Errors.malformedACL();
    grants.push({ grantee: resolved, permission });
  }
  return grants;
}

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** The AccessControlPolicy document of GetBucketAcl/GetObjectAcl. */
export function aclXml(owner: Owner, grants: readonly Grant[]): Xml {
  return el(
    'AccessControlPolicy',
    { xmlns: S3_NS },
    el('Owner', el('ID', owner.id), el('DisplayName', owner.displayName)),
    el(
      'AccessControlList',
      grants.map((g) =>
        el(
          'Grant',
          g.grantee.type === 'Group'
            ? el('Grantee', { 'xmlns:xsi': XSI, 'xsi:type': 'Group' }, el('URI', g.grantee.uri))
            : el(
                'Grantee',
                { 'xmlns:xsi': XSI, 'xsi:type': 'CanonicalUser' },
                el('ID', g.grantee.id),
                el('DisplayName', g.grantee.displayName),
              ),
          el('Permission', g.permission),
        ),
      ),
    ),
  );
}
