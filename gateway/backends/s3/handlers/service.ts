import { sendXml, type S3Context } from '../context';
import { ownerXml, xmlTime } from '../format';
import { el, S3_NS } from '../xml';
import { requireSigned } from './access';

/** ListBuckets: the caller's buckets only, sorted by name. */
export async function listBuckets(ctx: S3Context): Promise<void> {
  const caller = requireSigned(ctx);
  const mine = ctx.store
    .listBuckets()
    .filter((b) => b.owner.id === caller.id)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  sendXml(
    ctx,
    200,
    el(
      'ListAllMyBucketsResult',
      { xmlns: S3_NS },
      ownerXml(caller),
      el(
        'Buckets',
        mine.map((b) => el('Bucket', el('Name', b.name), el('CreationDate', xmlTime(b.creationDate)))),
      ),
    ),
  );
}
