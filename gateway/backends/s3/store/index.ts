export type * from './types';
export { DiskStore } from './disk-store';
export { validateBucketName, MAX_KEY_BYTES } from './names';
export { compareKeys } from './key-order';
export { NoSuchBucketError } from './no-such-bucket';
export { NoSuchUploadError } from './no-such-upload';
export { isDeleteMarker, NULL_VERSION_ID } from './types';
export { DataDirInUseError } from './data-dir-lock';
