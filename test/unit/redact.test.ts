import {
  maskAuthorization,
  maskHeaders,
  maskJsonBody,
  maskTarget,
  maskText,
} from '../../gateway/observe/redact';
import { bodyPreview } from '../../gateway/observe/trace';

describe('secrets in traces', () => {
  test('Authorization: SigV4 keeps its scope and signed headers, other schemes keep only the scheme', () => {
    const sig = 'a'.repeat(64);
    expect(
      maskAuthorization(
        `AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`,
      ),
    ).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=****',
    );
    expect(maskAuthorization('Bearer eyJhbGciOi.x.y')).toBe('Bearer ****');
    expect(maskAuthorization('opaque-token')).toBe('****');
  });

  test('secret headers, presigned query signatures, JSON members and cut-off text', () => {
    expect(maskHeaders({ 'X-Api-Key': 'k123', 'x-amz-security-token': ['t'], Accept: 'a/b' })).toEqual({
      'X-Api-Key': '****',
      'x-amz-security-token': ['****'],
      Accept: 'a/b',
    });
    expect(maskTarget('/S3/a?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=abc&x=1')).toBe(
      '/S3/a?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=****&x=1',
    );
    expect(
      maskJsonBody(
        '{"headers":{"Authorization":"Bearer t0ken-value","Host":"h"},"multiValueHeaders":{"authorization":["Bearer t0ken-value"]}}',
      ),
    ).toBe(
      '{"headers":{"Authorization":"Bearer ****","Host":"h"},"multiValueHeaders":{"authorization":["Bearer ****"]}}',
    );
    expect(maskJsonBody('{"a":1}')).toBeUndefined();
    expect(maskText('{"Authorization": "Bearer x", "cut')).toBe('{"Authorization": "****", "cut');
  });

  test('body previews: text as is, binary named, long bodies cut', () => {
    expect(bodyPreview(Buffer.from('héllo'))).toBe('héllo');
    expect(bodyPreview(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(
      '[binary, 8 bytes]',
    );
    expect(bodyPreview(Buffer.from('abc'), 10)).toBe('abc… [10 bytes in all]');
    expect(bodyPreview(Buffer.alloc(0))).toBe('');
  });
});
