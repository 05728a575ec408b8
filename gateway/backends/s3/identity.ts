import type { AccessKey, AccessKeyLookup, Owner } from '../../../lib/accounts';

/** Who owns buckets and objects: one per credentials profile (canonical user in S3's terms). */
export type { Owner } from '../../../lib/accounts';

/** An access key the embedded S3 accepts, and the owner it acts as. */
export type S3User = AccessKey;

/** Looks up the user of an access key id; undefined when the key is unknown. */
export type UserLookup = AccessKeyLookup;

/** Finds the owners the server knows, for ACL grants naming a canonical id or an e-mail address. */
export interface OwnerDirectory {
  byId(id: string): Owner | undefined;
  byEmail(email: string): Owner | undefined;
}

/** A directory over the owners of the given users. */
export function ownerDirectory(users: readonly S3User[]): OwnerDirectory {
  const byId = new Map(users.map((u) => [u.owner.id, u.owner]));
  const byEmail = new Map(
    users.filter((u) => u.owner.email !== undefined).map((u) => [u.owner.email!.toLowerCase(), u.owner]),
  );
  return { byId: (id) => byId.get(id), byEmail: (email) => byEmail.get(email.toLowerCase()) };
}
