import { createHash } from 'node:crypto';

/**
 * Who may call apigw: an access key pair and the owner it acts as. The gateway (AWS_IAM callers)
 * and the embedded S3 (bucket and object owners) share this model, so it belongs to neither.
 */

/** An owner: one per credentials profile (a canonical user in S3's terms, an IAM user in the gateway's). */
export interface Owner {
  /** Canonical user id: 64 lower-case hex characters, as AWS shows them. */
  id: string;
  displayName: string;
  email?: string;
}

/** An access key pair and the owner it acts as. */
export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  owner: Owner;
}

/** Looks up the pair of an access key id; undefined when the key is unknown. */
export type AccessKeyLookup = (accessKeyId: string) => AccessKey | undefined;

/**
 * A stable 12-digit account id for an owner: the leading decimal digits of its canonical id read
 * as a hex number. Ids that are not hex (hand-written profiles) are hashed first so that any owner
 * gets one, and different owners almost surely get different ones.
 */
export function accountIdFor(ownerId: string): string {
  const hex = /^[0-9a-f]{32,}$/i.test(ownerId)
    ? ownerId
    : createHash('sha256').update(ownerId, 'utf8').digest('hex');
  return BigInt(`0x${hex}`).toString(10).slice(0, 12).padStart(12, '0');
}
