import { ConfigError } from '../../gateway/config';
import { parseParameterOverrides } from '../../gateway/template-api';

describe('--parameter-overrides, as sam spells them', () => {
  test('Key=Value pairs separated by spaces, repeated flags, quoted values, values with =', () => {
    expect(
      parseParameterOverrides(['Stage=prod Table=items', `Greeting="hello world" Filter='a=b'`, 'Empty=']),
    ).toEqual({ Stage: 'prod', Table: 'items', Greeting: 'hello world', Filter: 'a=b', Empty: '' });
  });

  test('the long form ParameterKey=K,ParameterValue=V, and pseudo parameters', () => {
    expect(
      parseParameterOverrides([
        'ParameterKey=Stage,ParameterValue=prod ParameterKey=AWS::Region,ParameterValue=eu-west-1',
      ]),
    ).toEqual({ Stage: 'prod', 'AWS::Region': 'eu-west-1' });
  });

  test('anything else is a ConfigError naming the token', () => {
    expect(() => parseParameterOverrides(['Stage'])).toThrow(ConfigError);
    expect(() => parseParameterOverrides(['Stage'])).toThrow(
      "--parameter-overrides expects Key=Value (or ParameterKey=Key,ParameterValue=Value), got 'Stage'",
    );
    expect(() => parseParameterOverrides(['my-param=1'])).toThrow(
      "--parameter-overrides: 'my-param' is not a parameter name (letters and digits)",
    );
  });
});
