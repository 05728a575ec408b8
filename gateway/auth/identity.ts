import { createHash } from 'node:crypto';
import { accountIdFor, type AccessKey } from '../../lib/accounts';

/**
 * The `$context.identity` fields API Gateway fills for a caller authenticated by SigV4 (AWS_IAM
 * methods). Values are those of an IAM user: apigw's principals are modelled as IAM users of an
 * account of their own.
 */
export interface CallerIdentity {
  /** The access key id the request was signed with. */
  accessKey: string;
  /** 12-digit account id of the caller. */
  accountId: string;
  /** Principal id: for an IAM user, its unique id (`AIDA…`). */
  caller: string;
  /** Same as `caller` for an IAM user. */
  user: string;
  /** `arn:aws:iam::<account>:user/<name>`. */
  userArn: string;
  /** Only set for callers in an AWS Organization, which apigw does not model. */
  principalOrgId?: undefined;
}

// IAM unique ids are written in this base-32 alphabet (RFC 4648), after a type prefix.
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const IAM_USER_ID_PREFIX = 'AIDA';
const IAM_UNIQUE_ID_BODY = 17;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** A stable IAM-user unique id (`AIDA` + 17 base-32 characters) for an owner. */
export function principalIdFor(ownerId: string): string {
  const digest = sha256(`apigw:iam-user:${ownerId}`);
  let body = '';
  for (let i = 0; i < IAM_UNIQUE_ID_BODY; i++) body += BASE32[digest[i] % BASE32.length];
  return IAM_USER_ID_PREFIX + body;
}

/** IAM user names allow only `[\w+=,.@-]` and 64 characters; display names are free text. */
function iamUserName(displayName: string): string {
  const name = displayName.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return name === '' ? 'user' : name;
}

const identities = new WeakMap<AccessKey, CallerIdentity>();

/** The `$context.identity` values of a caller who signed with `user`'s key (derived once per key). */
export function callerIdentity(user: AccessKey): CallerIdentity {
  let identity = identities.get(user);
  // Shared by every request signed with this key: frozen, so none can change it for the others.
  if (!identity) identities.set(user, (identity = Object.freeze(deriveIdentity(user))));
  return identity;
}

function deriveIdentity(user: AccessKey): CallerIdentity {
  const accountId = accountIdFor(user.owner.id);
  const principalId = principalIdFor(user.owner.id);
  return {
    accessKey: user.accessKeyId,
    accountId,
    caller: principalId,
    user: principalId,
    userArn: `arn:aws:iam::${accountId}:user/${iamUserName(user.owner.displayName)}`,
  };
}
