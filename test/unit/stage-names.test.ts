import type { ApiDefinition } from '../../openapi/model';
import { defaultStageName, splitStage, validateStageName } from '../../gateway/stage-names';

function api(basePath: string | undefined): ApiDefinition {
  return {
    source: '/tmp/api.yaml',
    title: 'test',
    format: 'swagger',
    formatVersion: '2.0',
    basePath,
    resources: [],
    binaryMediaTypes: [],
    gatewayResponses: {},
    requestValidators: {},
    defaultRequestValidator: undefined,
    apiKeySource: 'HEADER',
    minimumCompressionSize: undefined,
    models: {},
    authorizers: {},
  };
}

describe('defaultStageName', () => {
  test('the base path names the stage', () => {
    expect(defaultStageName(api('/S3'))).toBe('S3');
    expect(defaultStageName(api('/prod_v2-x'))).toBe('prod_v2-x');
    expect(defaultStageName(api('/S3/'))).toBe('S3');
  });

  test('no usable base path gives dev', () => {
    expect(defaultStageName(api(undefined))).toBe('dev');
    expect(defaultStageName(api(''))).toBe('dev');
    expect(defaultStageName(api('/'))).toBe('dev');
  });

  test('a base path that is not a valid stage name gives dev', () => {
    expect(defaultStageName(api('/v1/api'))).toBe('dev');
    expect(defaultStageName(api('/v1.0'))).toBe('dev');
    expect(defaultStageName(api(`/${'a'.repeat(129)}`))).toBe('dev');
  });
});

describe('validateStageName', () => {
  test('accepts letters, digits, - and _ up to 128 characters', () => {
    expect(validateStageName('dev')).toBeUndefined();
    expect(validateStageName('S3')).toBeUndefined();
    expect(validateStageName('my_stage-2')).toBeUndefined();
    expect(validateStageName('a'.repeat(128))).toBeUndefined();
  });

  test('rejects anything else with a message naming the value', () => {
    for (const bad of ['', 'a'.repeat(129), 'v1/api', 'v1.0', 'my stage', 'é']) {
      expect(validateStageName(bad)).toContain(JSON.stringify(bad));
    }
  });
});

describe('splitStage', () => {
  test('the stage alone addresses the root', () => {
    expect(splitStage('/S3', 'S3')).toEqual({ kind: 'match', rest: '/' });
    expect(splitStage('/S3/', 'S3')).toEqual({ kind: 'match', rest: '/' });
  });

  test('the rest is kept raw, duplicate slashes and escapes included', () => {
    expect(splitStage('/S3/a/b', 'S3')).toEqual({ kind: 'match', rest: '/a/b' });
    expect(splitStage('/S3//a/', 'S3')).toEqual({ kind: 'match', rest: '//a/' });
    expect(splitStage('/S3/b/my%20file%2Fx', 'S3')).toEqual({ kind: 'match', rest: '/b/my%20file%2Fx' });
  });

  test('any other first segment is the wrong stage', () => {
    expect(splitStage('/s3/a', 'S3')).toEqual({ kind: 'wrong-stage' });
    expect(splitStage('/S3x/a', 'S3')).toEqual({ kind: 'wrong-stage' });
    expect(splitStage('/S%33/a', 'S3')).toEqual({ kind: 'wrong-stage' });
    expect(splitStage('/a/S3', 'S3')).toEqual({ kind: 'wrong-stage' });
    expect(splitStage('//S3/a', 'S3')).toEqual({ kind: 'wrong-stage' });
    expect(splitStage('/', 'S3')).toEqual({ kind: 'wrong-stage' });
    expect(splitStage('', 'S3')).toEqual({ kind: 'wrong-stage' });
    expect(splitStage('S3/a', 'S3')).toEqual({ kind: 'wrong-stage' });
  });
});
