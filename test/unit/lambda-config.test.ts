import path from 'node:path';
import { parseFunctions } from '../../gateway/backends/lambda';
import { functionArn, parseFunctionReference } from '../../gateway/backends/lambda/names';
import { ConfigError, loadConfigFile } from '../../gateway/config';
import { tempDir } from '../helpers/api-doc';

describe('functions: in the config file', () => {
  test('handler path#export resolved against the config file, Lambda defaults for timeout and memory', () => {
    const dir = tempDir('apigw-fn-config-');
    try {
      const file = dir.write(
        'apigw.yaml',
        [
          'functions:',
          '  Calc:',
          '    handler: src/calc.js#compute',
          '    timeout: 10',
          '    memory: 256',
          '    environment: { TABLE: calc, RETRIES: 3 }',
          '  Image: image.mjs',
          '  Typed: { handler: ../typed.ts }',
        ].join('\n'),
      );
      const config = loadConfigFile(file);
      expect(config.functions).toEqual({
        Calc: {
          handler: { file: path.join(dir.dir, 'src', 'calc.js'), exportName: 'compute' },
          timeout: 10,
          memory: 256,
          environment: { TABLE: 'calc', RETRIES: '3' },
        },
        Image: {
          handler: { file: path.join(dir.dir, 'image.mjs'), exportName: 'handler' },
          timeout: 3,
          memory: 128,
          environment: {},
        },
        Typed: {
          handler: { file: path.join(path.dirname(dir.dir), 'typed.ts'), exportName: 'handler' },
          timeout: 3,
          memory: 128,
          environment: {},
        },
      });
    } finally {
      dir.remove();
    }
  });

  test.each([
    [{ 'bad name': 'a.js' }, /functions\.bad name: a function name is 1 to 64 letters/],
    [
      { F: { handler: 'a.py#handler' } },
      /functions\.F\.handler: the handler must be a \.js, \.cjs, \.mjs, \.ts file/,
    ],
    [{ F: { handler: 'a.js#not-a-name' } }, /'not-a-name' is not an export name/],
    [
      { F: { handler: 'a.js', timeout: 0 } },
      /functions\.F\.timeout must be a whole number of seconds between 1 and 900/,
    ],
    [{ F: { handler: 'a.js', timeout: 901 } }, /between 1 and 900, got 901/],
    [
      { F: { handler: 'a.js', memory: 64 } },
      /functions\.F\.memory must be a whole number of MB between 128 and 10240/,
    ],
    [
      { F: { handler: 'a.js', environment: { AWS_REGION: 'x' } } },
      /environment\.AWS_REGION: reserved by Lambda/,
    ],
    [{ F: { handler: 'a.js', environment: { '1X': 'x' } } }, /environment\.1X: not a valid variable name/],
    [{ F: { handler: 'a.js', runtime: 'nodejs20.x' } }, /functions\.F: unknown key 'runtime'/],
    [{ F: {} }, /functions\.F\.handler must be a path such as calc\.js#handler/],
    [['a.js'], /functions must be a mapping of function names/],
  ])('%j is refused: %s', (functions, message) => {
    expect(() => parseFunctions(functions, '/base', 'apigw.yaml')).toThrow(message);
  });

  test('a bad entry in a config file is a ConfigError naming the file', () => {
    const dir = tempDir('apigw-fn-config-');
    try {
      const file = dir.write('apigw.yaml', 'functions:\n  Calc:\n    handler: calc.rb\n');
      expect(() => loadConfigFile(file)).toThrow(ConfigError);
      expect(() => loadConfigFile(file)).toThrow(`${file}: functions.Calc.handler: the handler must be`);
    } finally {
      dir.remove();
    }
  });
});

describe('function names in Invoke paths', () => {
  test.each([
    ['Calc', { name: 'Calc' }],
    ['Calc:prod', { name: 'Calc', qualifier: 'prod' }],
    ['Calc:$LATEST', { name: 'Calc', qualifier: '$LATEST' }],
    ['Calc:7', { name: 'Calc', qualifier: '7' }],
    ['123456789012:function:Calc', { name: 'Calc', accountId: '123456789012' }],
    ['123456789012:function:Calc:live', { name: 'Calc', qualifier: 'live', accountId: '123456789012' }],
    [
      'arn:aws:lambda:us-west-2:123456789012:function:Calc',
      { name: 'Calc', region: 'us-west-2', accountId: '123456789012' },
    ],
    [
      'arn:aws-cn:lambda:cn-north-1:123456789012:function:my-fn_2:$LATEST',
      { name: 'my-fn_2', qualifier: '$LATEST', region: 'cn-north-1', accountId: '123456789012' },
    ],
  ])('%s', (value, expected) => {
    expect(parseFunctionReference(value)).toEqual(expect.objectContaining(expected));
  });

  test.each(['', 'arn:aws:s3:::bucket', 'Calc:a:b', 'no spaces', 'arn:aws:lambda:us-east-1:1:layer:x'])(
    '%j is not a function name',
    (value) => expect(parseFunctionReference(value)).toBeUndefined(),
  );

  test('ARNs in messages', () => {
    expect(functionArn('Calc', 'us-east-1', '000000000000')).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:Calc',
    );
    expect(functionArn('Calc', 'eu-west-1', '123456789012', 'prod')).toBe(
      'arn:aws:lambda:eu-west-1:123456789012:function:Calc:prod',
    );
  });
});
