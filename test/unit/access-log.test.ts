import {
  ACCESS_LOG_PRESETS,
  compileAccessLogFormat,
  parseAccessLogSetting,
  renderAccessLogLine,
} from '../../gateway/observe/access-log';
import { loadConfigFile } from '../../gateway/config';
import { tempDir } from '../helpers/api-doc';

const VALUES: Record<string, unknown> = {
  'identity.sourceIp': '198.51.100.7',
  'identity.caller': null,
  'identity.user': 'AIDAEXAMPLE',
  requestTime: '07/Dec/2026:17:10:12 +0000',
  httpMethod: 'GET',
  resourcePath: '/{folder}/{item}',
  protocol: 'HTTP/1.1',
  status: 200,
  responseLength: 1234,
  requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  extendedRequestId: 'MyrAHGBxoAMFdKw=',
};
const values = (name: string) => VALUES[name];

describe('access log formats', () => {
  test('CLF preset, by name, as the console writes it; absent values print as -', () => {
    const line = renderAccessLogLine(compileAccessLogFormat('CLF'), values);
    expect(line).toBe(
      '198.51.100.7 - AIDAEXAMPLE [07/Dec/2026:17:10:12 +0000] "GET /{folder}/{item} HTTP/1.1" 200 1234 c6af9ac6-7b61-11e6-9a41-93e8deadbeef MyrAHGBxoAMFdKw=',
    );
  });

  test('JSON preset', () => {
    const line = renderAccessLogLine(compileAccessLogFormat('json'), values);
    expect(line).toBe(
      '{ "requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "extendedRequestId":"MyrAHGBxoAMFdKw=", "ip": "198.51.100.7", "caller":"-", "user":"AIDAEXAMPLE", "requestTime":"07/Dec/2026:17:10:12 +0000", "httpMethod":"GET", "resourcePath":"/{folder}/{item}", "status":"200", "protocol":"HTTP/1.1", "responseLength":"1234" }',
    );
    expect(JSON.parse(line)).toMatchObject({ status: '200', caller: '-' });
  });

  test('XML and CSV presets', () => {
    expect(renderAccessLogLine(compileAccessLogFormat('CSV'), values)).toBe(
      '198.51.100.7,-,AIDAEXAMPLE,07/Dec/2026:17:10:12 +0000,GET,/{folder}/{item},HTTP/1.1,200,1234,c6af9ac6-7b61-11e6-9a41-93e8deadbeef,MyrAHGBxoAMFdKw=',
    );
    expect(renderAccessLogLine(compileAccessLogFormat('XML'), values)).toBe(
      ACCESS_LOG_PRESETS.XML.replace(/\$context\.([A-Za-z.]+)/g, (_m, name: string) =>
        VALUES[name] === null ? '-' : String(VALUES[name]),
      ),
    );
  });

  test('a variable followed by a dot keeps the dot as text', () => {
    const line = renderAccessLogLine(
      compileAccessLogFormat('id $context.requestId. status $context.status.'),
      values,
    );
    expect(line).toBe('id c6af9ac6-7b61-11e6-9a41-93e8deadbeef. status 200.');
  });

  test('formats API Gateway refuses are refused', () => {
    expect(() => compileAccessLogFormat('$context.status')).toThrow(
      /must contain \$context.requestId or \$context.extendedRequestId/,
    );
    expect(() => compileAccessLogFormat('')).toThrow(/must not be empty/);
    expect(() => compileAccessLogFormat('$context.requestId\n$context.status')).toThrow(/single line/);
  });

  test('the config takes a preset name or a mapping with a destination relative to the file', () => {
    expect(parseAccessLogSetting('CLF', '/x')).toEqual({ format: 'CLF', destination: 'stdout' });
    expect(parseAccessLogSetting({ format: 'JSON', destination: 'logs/access.log' }, '/x')).toEqual({
      format: 'JSON',
      destination: '/x/logs/access.log',
    });
    const dir = tempDir('apigw-access-config-');
    try {
      const file = dir.write('apigw.yaml', 'accessLog:\n  format: $context.status\n');
      expect(() => loadConfigFile(file)).toThrow(`${file}: accessLog.format must contain $context.requestId`);
      const other = dir.write('other.yaml', 'accessLog:\n  format: CLF\n  where: x\n');
      expect(() => loadConfigFile(other)).toThrow(/unknown setting 'where'/);
    } finally {
      dir.remove();
    }
  });
});
