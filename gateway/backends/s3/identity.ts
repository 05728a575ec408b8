/** Who owns buckets and objects: one per credentials profile (canonical user in S3's terms). */
export interface Owner {
  /** Canonical user id: 64 lower-case hex characters, as AWS shows them. */
  id: string;
  displayName: string;
  email?: string;
}

/** An access key the embedded S3 accepts, and the owner it acts as. */
export interface S3User {
  accessKeyId: string;
  secretAccessKey: string;
  owner: Owner;
}

/** Looks up the user of an access key id; undefined when the key is unknown. */
export type UserLookup = (accessKeyId: string) => S3User | undefined;
