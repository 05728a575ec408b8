import {
  Intrinsics,
  NO_VALUE,
  Unresolved,
  parseTemplateYaml,
  type ResourceFacts,
  type TemplateSections,
} from '../../openapi/cloudformation';

const PSEUDO = {
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
  'AWS::StackName': 'stack',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Resources: Fn (a function named by its logical id) and Role. */
const facts: ResourceFacts = {
  typeOf: (id) => ({ Fn: 'AWS::Lambda::Function', Role: 'AWS::IAM::Role' })[id],
  ref: (id) => id,
  getAtt: (id, attribute) =>
    id === 'Fn' && attribute === 'Arn'
      ? 'arn:aws:lambda:eu-west-1:123456789012:function:Fn'
      : new Unresolved(`no ${attribute}`, ''),
};

function intrinsics(sections: TemplateSections = {}, overrides: Record<string, string> = {}) {
  const problems: string[] = [];
  const it = new Intrinsics(sections, facts, {
    overrides,
    pseudo: PSEUDO,
    onProblem: (pointer, message) => problems.push(`${pointer}: ${message}`),
  });
  return Object.assign(it, { problems });
}

const PARAMETERS = {
  Parameters: {
    Stage: { Type: 'String', Default: 'dev', AllowedValues: ['dev', 'prod'] },
    Names: { Type: 'CommaDelimitedList', Default: 'a, b,c' },
    Count: { Type: 'Number', Default: 3 },
    Secret: { Type: 'String' },
    FromSsm: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/my/param' },
  },
  Conditions: {
    IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
    IsDev: { 'Fn::Not': [{ Condition: 'IsProd' }] },
    Both: { 'Fn::And': [{ Condition: 'IsDev' }, { 'Fn::Equals': [{ Ref: 'Count' }, 3] }] },
    Loop: { Condition: 'Loop' },
  },
  Mappings: { Sizes: { dev: { Memory: 128 }, prod: { Memory: 1024 } } },
};

describe('Ref and parameters', () => {
  test('defaults, lists split and trimmed, numbers as strings, pseudo parameters', () => {
    const it = intrinsics(PARAMETERS);
    expect(it.resolve({ Ref: 'Stage' }, '/x')).toBe('dev');
    expect(it.resolve({ Ref: 'Names' }, '/x')).toEqual(['a', 'b', 'c']);
    expect(it.resolve({ Ref: 'Count' }, '/x')).toBe('3');
    expect(it.resolve({ Ref: 'AWS::Region' }, '/x')).toBe('eu-west-1');
    expect(it.resolve({ Ref: 'Fn' }, '/x')).toBe('Fn');
  });

  test('--parameter-overrides win over defaults and may set pseudo parameters; AllowedValues are checked', () => {
    const it = intrinsics(PARAMETERS, { Stage: 'prod', 'AWS::Region': 'us-west-2', Secret: 's3cr3t' });
    expect(it.resolve({ Ref: 'Stage' }, '/x')).toBe('prod');
    expect(it.resolve({ Ref: 'Secret' }, '/x')).toBe('s3cr3t');
    expect(it.resolve({ Ref: 'AWS::Region' }, '/x')).toBe('us-west-2');
    expect(it.problems).toEqual([]);
    const bad = intrinsics(PARAMETERS, { Stage: 'qa', Nope: '1' });
    expect(bad.problems).toEqual([
      '/Parameters/Stage: --parameter-overrides Stage=qa: not one of its AllowedValues (dev, prod)',
      '/Parameters: --parameter-overrides Nope: the template declares no such parameter',
    ]);
  });

  test('a parameter without a value, an SSM parameter and an unknown name are Unresolved where used', () => {
    const it = intrinsics(PARAMETERS);
    const secret = it.resolve({ Ref: 'Secret' }, '/Resources/A/Properties/X');
    expect(secret).toBeInstanceOf(Unresolved);
    expect(secret).toMatchObject({
      pointer: '/Resources/A/Properties/X/Ref',
      reason: expect.stringContaining('parameter Secret has no Default and no value'),
    });
    expect((it.resolve({ Ref: 'FromSsm' }, '/y') as Unresolved).reason).toContain(
      'SSM parameter "/my/param"',
    );
    expect((it.resolve({ Ref: 'Ghost' }, '/z') as Unresolved).reason).toBe(
      "Ref to 'Ghost': the template declares no such parameter or resource",
    );
    expect(it.unresolved.map((u) => u.pointer)).toEqual([
      '/Resources/A/Properties/X/Ref',
      '/y/Ref',
      '/z/Ref',
    ]);
  });

  test('AWS::NoValue removes the property or list item', () => {
    const it = intrinsics(PARAMETERS);
    expect(it.resolve({ a: 1, b: { Ref: 'AWS::NoValue' }, c: [1, { Ref: 'AWS::NoValue' }, 2] }, '')).toEqual({
      a: 1,
      c: [1, 2],
    });
    expect(it.resolve({ Ref: 'AWS::NoValue' }, '')).toBe(NO_VALUE);
  });
});

describe('Fn::Sub, Fn::Join, Fn::GetAtt, Fn::Select, Fn::Split, Fn::FindInMap, Fn::Base64', () => {
  test('Fn::Sub: parameters, pseudo parameters, Resource.Attribute, its own variables, ${!Literal}', () => {
    const it = intrinsics(PARAMETERS);
    expect(
      it.resolve(
        {
          'Fn::Sub':
            'arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations',
        },
        '',
      ),
    ).toBe(
      'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:Fn/invocations',
    );
    expect(
      it.resolve({ 'Fn::Sub': ['${Greeting}, ${Stage}! ${!Literal}', { Greeting: { Ref: 'Fn' } }] }, ''),
    ).toBe('Fn, dev! ${Literal}');
  });

  test('Fn::Sub with something unresolvable is Unresolved, naming the reason', () => {
    const it = intrinsics(PARAMETERS);
    const value = it.resolve({ 'Fn::Sub': 'x-${Secret}' }, '/p');
    expect(value).toBeInstanceOf(Unresolved);
    expect((value as Unresolved).reason).toContain('parameter Secret');
  });

  test('Fn::Join as CDK writes integration uris; Fn::GetAtt in both forms', () => {
    const it = intrinsics(PARAMETERS);
    const uri = it.resolve(
      {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':apigateway:',
            { Ref: 'AWS::Region' },
            ':lambda:path/2015-03-31/functions/',
            { 'Fn::GetAtt': ['Fn', 'Arn'] },
            '/invocations',
          ],
        ],
      },
      '',
    );
    expect(uri).toBe(
      'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:Fn/invocations',
    );
    expect(it.resolve({ 'Fn::GetAtt': 'Fn.Arn' }, '')).toBe(
      'arn:aws:lambda:eu-west-1:123456789012:function:Fn',
    );
    expect((it.resolve({ 'Fn::GetAtt': ['Nothing', 'Arn'] }, '/g') as Unresolved).reason).toBe(
      'Fn::GetAtt Nothing.Arn: the template declares no resource Nothing',
    );
  });

  test('Fn::Select, Fn::Split, Fn::FindInMap, Fn::Base64, Fn::GetAZs', () => {
    const it = intrinsics(PARAMETERS);
    expect(it.resolve({ 'Fn::Select': [1, { Ref: 'Names' }] }, '')).toBe('b');
    expect(it.resolve({ 'Fn::Split': ['/', 'a/b/c'] }, '')).toEqual(['a', 'b', 'c']);
    expect(it.resolve({ 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'Memory'] }, '')).toBe(128);
    expect(it.resolve({ 'Fn::Base64': 'hi' }, '')).toBe('aGk=');
    expect(it.resolve({ 'Fn::GetAZs': '' }, '')).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(it.resolve({ 'Fn::Select': [5, ['a']] }, '/s')).toBeInstanceOf(Unresolved);
  });

  test('Fn::ImportValue is reported as unknown locally, with its export name', () => {
    const it = intrinsics(PARAMETERS);
    const value = it.resolve(
      { 'Fn::ImportValue': { 'Fn::Sub': '${Stage}-VpcId' } },
      '/Resources/A/Properties/V',
    );
    expect(value).toMatchObject({
      reason: "Fn::ImportValue 'dev-VpcId': exports of other stacks are not known locally",
      pointer: '/Resources/A/Properties/V/Fn::ImportValue',
    });
  });
});

describe('Conditions and Fn::If', () => {
  test('Fn::Equals (numbers compare as strings), Fn::Not, Fn::And and Condition references', () => {
    const dev = intrinsics(PARAMETERS);
    expect(dev.condition('IsProd', '')).toBe(false);
    expect(dev.condition('IsDev', '')).toBe(true);
    expect(dev.condition('Both', '')).toBe(true);
    expect(dev.resolve({ 'Fn::If': ['IsProd', 'big', 'small'] }, '')).toBe('small');
    const prod = intrinsics(PARAMETERS, { Stage: 'prod' });
    expect(prod.resolve({ 'Fn::If': ['IsProd', 'big', 'small'] }, '')).toBe('big');
    expect(prod.resolve({ a: { 'Fn::If': ['IsDev', 1, { Ref: 'AWS::NoValue' }] } }, '')).toEqual({});
  });

  test('a condition that depends on itself, or is not declared, is Unresolved', () => {
    const it = intrinsics(PARAMETERS);
    expect((it.condition('Loop', '/c') as Unresolved).reason).toBe(
      "circular condition: 'Loop' depends on itself",
    );
    expect((it.resolve({ 'Fn::If': ['Nope', 1, 2] }, '/i') as Unresolved).reason).toBe(
      "condition 'Nope' is not declared in Conditions",
    );
  });
});

describe('YAML short forms', () => {
  test('!Ref, !Sub (scalar and list), !GetAtt A.B, !If, !Equals, !Join, !Select and nesting read as long forms', () => {
    const doc = parseTemplateYaml(`
a: !Ref Stage
b: !Sub 'x-\${Stage}'
c: !Sub ['\${A}', { A: !Ref Stage }]
d: !GetAtt Fn.Arn
e: !If [IsProd, !Ref Stage, !Ref AWS::NoValue]
f: !Equals [!Ref Stage, prod]
g: !Join ['', [a, !Ref Stage]]
h: !Select [0, !Split [',', 'a,b']]
i: !GetAtt [Fn, Arn]
j: !ImportValue shared
`);
    expect(doc).toEqual({
      a: { Ref: 'Stage' },
      b: { 'Fn::Sub': 'x-${Stage}' },
      c: { 'Fn::Sub': ['${A}', { A: { Ref: 'Stage' } }] },
      d: { 'Fn::GetAtt': ['Fn', 'Arn'] },
      e: { 'Fn::If': ['IsProd', { Ref: 'Stage' }, { Ref: 'AWS::NoValue' }] },
      f: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
      g: { 'Fn::Join': ['', ['a', { Ref: 'Stage' }]] },
      h: { 'Fn::Select': [0, { 'Fn::Split': [',', 'a,b'] }] },
      i: { 'Fn::GetAtt': ['Fn', 'Arn'] },
      j: { 'Fn::ImportValue': 'shared' },
    });
  });
});
