import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ConfigError,
  flagName,
  keyName,
  loadConfigFile,
  parseStageVariables,
  resolveConfig,
} from '../../gateway/config';

const DEFAULTS = { port: 4568, host: '127.0.0.1', dataDir: '.apigw', region: 'us-east-1' };

function configFile(text: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'apigw-config-'));
  const file = path.join(dir, 'apigw.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

describe('configuration model', () => {
  test('flag and key spellings mirror each other', () => {
    expect(flagName('dataDir')).toBe('--data-dir');
    expect(keyName('--data-dir')).toBe('dataDir');
    expect(keyName('log-level')).toBe('logLevel');
  });

  test('defaults apply when nothing is given', () => {
    const config = resolveConfig({}, DEFAULTS, '/work/x');
    expect(config).toMatchObject({
      port: 4568,
      host: '127.0.0.1',
      region: 'us-east-1',
      dataDir: '/work/x/.apigw',
    });
  });

  test('file keys override defaults and paths resolve relative to the file', () => {
    const { dir, file } = configFile(
      'port: 9000\nhost: 0.0.0.0\ndataDir: data\nregion: eu-west-1\ncredentials: creds.ini\n',
    );
    const config = resolveConfig({ config: file }, DEFAULTS, '/elsewhere');
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      region: 'eu-west-1',
      dataDir: path.join(dir, 'data'),
      credentials: path.join(dir, 'creds.ini'),
    });
  });

  test('flags override the file, and flag paths resolve against the working directory', () => {
    const { file } = configFile('port: 9000\nregion: eu-west-1\n');
    const config = resolveConfig({ config: file, port: '9100', dataDir: 'd' }, DEFAULTS, '/cwd');
    expect(config.port).toBe(9100);
    expect(config.region).toBe('eu-west-1');
    expect(config.dataDir).toBe('/cwd/d');
  });

  test('unknown keys, bad ports and bad YAML are reported with the file name', () => {
    expect(() => loadConfigFile(configFile('prot: 1\n').file)).toThrow(/unknown setting 'prot'/);
    expect(() => loadConfigFile(configFile('port: 70000\n').file)).toThrow(/port must be a port number/);
    expect(() => loadConfigFile(configFile('port: [1\n').file)).toThrow(/not valid YAML/);
    expect(() => loadConfigFile(configFile('- a\n').file)).toThrow(ConfigError);
    expect(() => resolveConfig({ port: 'abc' }, DEFAULTS)).toThrow(/command line: port/);
    expect(() => loadConfigFile('/nonexistent/apigw.yaml')).toThrow(/cannot read config file/);
  });

  test('an empty file is an empty configuration', () => {
    expect(loadConfigFile(configFile('').file)).toEqual({});
  });
});

describe('maps and serve settings', () => {
  test('stageVariables and endpoints merge key by key, flags winning; --s3-endpoint is endpoints.s3', () => {
    const { file } = configFile(
      'stageVariables: { bucket: a, prefix: p }\nendpoints: { s3: aws, sqs: "http://q:1" }\n',
    );
    const config = resolveConfig(
      { config: file, stageVariables: { bucket: 'b' }, s3Endpoint: 'http://minio:9000' },
      DEFAULTS,
    );
    expect(config.stageVariables).toEqual({ bucket: 'b', prefix: 'p' });
    expect(config.endpoints).toEqual({ s3: 'http://minio:9000', sqs: 'http://q:1' });
    expect('s3Endpoint' in config).toBe(false);
  });

  test('non-string map values and non-boolean flags are refused', () => {
    expect(() => loadConfigFile(configFile('stageVariables: { a: [1] }\n').file)).toThrow(
      /stageVariables\.a must be a string/,
    );
    expect(() => loadConfigFile(configFile('sigv4Compat: yes-please\n').file)).toThrow(
      /sigv4Compat must be true or false/,
    );
    expect(loadConfigFile(configFile('stageVariables: { n: 3 }\n').file).stageVariables).toEqual({ n: '3' });
  });

  test('--stage-variable NAME=VALUE', () => {
    expect(parseStageVariables(['a=1', 'b=x=y', 'c='])).toEqual({ a: '1', b: 'x=y', c: '' });
    expect(() => parseStageVariables(['noequals'])).toThrow(/expects NAME=VALUE/);
    expect(() => parseStageVariables(['bad-name=1'])).toThrow(/not a valid stage variable name/);
  });
});

describe('hardening settings (issue 20)', () => {
  test('bodyIdleTimeout and headersTimeout are seconds (fractions allowed), from the file or as flags', () => {
    const { file } = configFile(
      'bodyIdleTimeout: 0.3\nheadersTimeout: 5\nallowDevelopmentKeysOnNetwork: true\n',
    );
    expect(loadConfigFile(file)).toEqual({
      bodyIdleTimeout: 0.3,
      headersTimeout: 5,
      allowDevelopmentKeysOnNetwork: true,
    });
    const flags = resolveConfig({ config: file, headersTimeout: '0' }, DEFAULTS);
    expect(flags.headersTimeout).toBe(0);
    expect(flags.bodyIdleTimeout).toBe(0.3);
    expect(keyName('body-idle-timeout')).toBe('bodyIdleTimeout');
    expect(keyName('allow-development-keys-on-network')).toBe('allowDevelopmentKeysOnNetwork');
  });

  test('bad values are refused with the key named', () => {
    expect(() => resolveConfig({ bodyIdleTimeout: 'soon' }, DEFAULTS)).toThrow(
      /bodyIdleTimeout must be a number of seconds/,
    );
    expect(() => loadConfigFile(configFile('allowDevelopmentKeysOnNetwork: please\n').file)).toThrow(
      /allowDevelopmentKeysOnNetwork must be true or false/,
    );
  });
});
