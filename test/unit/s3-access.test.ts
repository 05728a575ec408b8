import { cannedAcl, GROUPS } from '../../gateway/backends/s3/acl';
import { granted, type Access } from '../../gateway/backends/s3/handlers/access';
import type { Owner } from '../../gateway/backends/s3/identity';

const alice: Owner = { id: 'a'.repeat(64), displayName: 'alice' };
const bob: Owner = { id: 'b'.repeat(64), displayName: 'bob' };
const ALL: Access[] = ['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP'];

/** The permissions a caller holds under a canned ACL set by alice on her own resource. */
function held(canned: string, caller: Owner | undefined, owner = alice, bucketOwner = alice): Access[] {
  const grants = cannedAcl(canned, owner, bucketOwner);
  return ALL.filter((access) => granted(grants, owner, caller, access));
}

describe('granted', () => {
  test.each([
    ['private', [], [], ALL],
    ['public-read', ['READ'], ['READ'], ALL],
    ['public-read-write', ['READ', 'WRITE'], ['READ', 'WRITE'], ALL],
    ['authenticated-read', ['READ'], [], ALL],
  ])('%s: bob %j, anonymous %j, owner %j', (canned, forBob, forAnonymous, forOwner) => {
    expect(held(canned, bob)).toEqual(forBob);
    expect(held(canned, undefined)).toEqual(forAnonymous);
    expect(held(canned, alice)).toEqual(forOwner);
  });

  test('bucket-owner-read / -full-control grant the bucket owner on an object bob owns', () => {
    expect(held('bucket-owner-read', alice, bob, alice)).toEqual(['READ']);
    expect(held('bucket-owner-full-control', alice, bob, alice)).toEqual(ALL);
    expect(held('private', alice, bob, alice)).toEqual([]);
  });

  test('the owner keeps READ_ACP and WRITE_ACP with no grants at all', () => {
    expect(ALL.filter((a) => granted([], alice, alice, a))).toEqual(['READ_ACP', 'WRITE_ACP']);
    expect(ALL.filter((a) => granted([], alice, bob, a))).toEqual([]);
  });

  test('FULL_CONTROL covers every permission; group grants follow the caller kind', () => {
    const authenticated = [
      {
        grantee: { type: 'Group' as const, uri: GROUPS.authenticatedUsers },
        permission: 'FULL_CONTROL' as const,
      },
    ];
    expect(ALL.filter((a) => granted(authenticated, alice, bob, a))).toEqual(ALL);
    expect(ALL.filter((a) => granted(authenticated, alice, undefined, a))).toEqual([]);
  });
});
