import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, flagName, keyName, loadConfigFile, resolveConfig } from '../../gateway/config';

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
