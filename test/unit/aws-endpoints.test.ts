import { awsEndpoint, EndpointResolver, parseEndpointSetting } from '../../gateway/aws/endpoints';
import { ConfigError } from '../../gateway/config';

describe('parseEndpointSetting', () => {
  test('embedded, aws and http(s) URLs', () => {
    expect(parseEndpointSetting('s3', 'embedded')).toEqual({ kind: 'embedded' });
    expect(parseEndpointSetting('s3', 'aws')).toEqual({ kind: 'aws' });
    expect(parseEndpointSetting('sqs', 'aws')).toEqual({ kind: 'aws' });
    expect(parseEndpointSetting('s3', 'http://127.0.0.1:9000')).toEqual({
      kind: 'url',
      url: new URL('http://127.0.0.1:9000'),
    });
    expect(parseEndpointSetting('s3', 'https://minio.example.com/prefix')).toEqual({
      kind: 'url',
      url: new URL('https://minio.example.com/prefix'),
    });
  });

  test.each([
    ['s3', 'ftp://x', /^endpoints\.s3: only http and https URLs are supported, got ftp:\/\/x$/],
    ['s3', 'nonsense', /^endpoints\.s3: expected 'embedded', 'aws' or an http\(s\) URL, got "nonsense"$/],
    ['s3', '', /^endpoints\.s3: expected/],
    ['sqs', 'embedded', /^endpoints\.sqs: there is no embedded sqs; use a URL or 'aws'$/],
    ['lambda', 'file:///tmp/x', /^endpoints\.lambda: only http and https URLs/],
  ])('endpoints.%s: %j is a ConfigError naming the setting', (service, value, message) => {
    expect(() => parseEndpointSetting(service, value)).toThrow(ConfigError);
    expect(() => parseEndpointSetting(service, value)).toThrow(message);
  });
});

describe('awsEndpoint', () => {
  test.each([
    ['s3', 'us-east-1', 'https://s3.us-east-1.amazonaws.com/'],
    ['s3', 'eu-west-3', 'https://s3.eu-west-3.amazonaws.com/'],
    ['sqs', 'ap-southeast-2', 'https://sqs.ap-southeast-2.amazonaws.com/'],
    ['s3', 'us-gov-west-1', 'https://s3.us-gov-west-1.amazonaws.com/'],
    ['s3', 'cn-north-1', 'https://s3.cn-north-1.amazonaws.com.cn/'],
  ])('%s in %s → %s', (service, region, url) => {
    expect(awsEndpoint(service, region).href).toBe(url);
  });
});

describe('EndpointResolver', () => {
  const embeddedS3 = new URL('http://127.0.0.1:4568');

  test('nothing configured: s3 is the embedded emulator, other services have no endpoint', () => {
    const resolver = new EndpointResolver({}, { s3: embeddedS3 });
    expect(resolver.settingFor('s3')).toEqual({ kind: 'embedded' });
    expect(resolver.resolve('s3', 'eu-west-1')).toBe(embeddedS3);
    expect(resolver.settingFor('sqs')).toBeUndefined();
    expect(resolver.resolve('sqs', 'eu-west-1')).toBeUndefined();
  });

  test('aws resolves by the integration’s region, never implicitly', () => {
    const resolver = new EndpointResolver({ s3: parseEndpointSetting('s3', 'aws') }, {});
    expect(resolver.resolve('s3', 'eu-west-3')?.href).toBe('https://s3.eu-west-3.amazonaws.com/');
    expect(resolver.resolve('s3', 'us-west-2')?.href).toBe('https://s3.us-west-2.amazonaws.com/');
    expect(resolver.resolve('sqs', 'us-west-2')).toBeUndefined();
  });

  test('a URL is used whatever the region', () => {
    const resolver = new EndpointResolver(
      {
        s3: parseEndpointSetting('s3', 'http://localhost:9000'),
        sqs: parseEndpointSetting('sqs', 'https://sqs.internal:4443/base'),
      },
      { s3: embeddedS3 },
    );
    expect(resolver.resolve('s3', 'us-east-1')?.href).toBe('http://localhost:9000/');
    expect(resolver.resolve('s3', 'ap-south-1')?.href).toBe('http://localhost:9000/');
    expect(resolver.resolve('sqs', 'eu-west-1')?.href).toBe('https://sqs.internal:4443/base');
  });

  test('embedded without a running emulator has no endpoint', () => {
    const resolver = new EndpointResolver({ s3: { kind: 'embedded' } }, {});
    expect(resolver.settingFor('s3')).toEqual({ kind: 'embedded' });
    expect(resolver.resolve('s3', 'us-east-1')).toBeUndefined();
  });
});
