import type { Intrinsics, ResourceFacts } from './intrinsics';
import { stableId, type Template } from './template';

const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);
const API_TYPES = new Set(['AWS::Serverless::Api', 'AWS::ApiGateway::RestApi']);
/** API Gateway child resources whose Ref is an id API Gateway makes up. */
const GENERATED_ID_TYPES = new Set([
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Authorizer',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::RequestValidator',
  'AWS::ApiGateway::ApiKey',
  'AWS::ApiGateway::UsagePlan',
  'AWS::ApiGateway::UsagePlanKey',
  'AWS::ApiGateway::GatewayResponse',
]);

/** The account and region resources are "created" in. */
export interface Placement {
  region: string;
  accountId: string;
  partition: string;
  /** Seeds ids, so that two templates never share one. */
  seed: string;
}

/**
 * The `Ref` and `Fn::GetAtt` values of a template's resources, as they would be once deployed: a
 * function's name (its FunctionName, else its logical id, which is also the name the embedded
 * Lambda knows it by) and ARN, an API's id, a role's ARN, a user pool's id and ARN. Ids AWS would
 * make up are stable hashes. Resources apigw does not emulate refer to their logical id, as
 * `sam local` does, and have no attributes.
 */
export class TemplateFacts implements ResourceFacts {
  intrinsics: Intrinsics | undefined;
  /** Resources the SAM transform would add (ServerlessRestApi, a function's Role), by logical id. */
  readonly generated = new Map<string, string>();
  /** Names of the stages the SAM transform would add (`MyApiProdStage`, `MyApi.Stage`), by logical id. */
  readonly stageNames = new Map<string, string>();
  /** Logical id of each made-up id, to link `ResourceId: !Ref Resource` back to its resource. */
  readonly byId = new Map<string, string>();

  constructor(
    private readonly template: Template,
    private readonly placement: Placement,
  ) {}

  typeOf(logicalId: string): string | undefined {
    return this.template.resources.get(logicalId)?.type ?? this.generated.get(logicalId);
  }

  /** The name the embedded Lambda runs a function under. */
  functionName(logicalId: string): unknown {
    const resource = this.template.resources.get(logicalId);
    const written = resource?.properties.FunctionName;
    if (written === undefined || !this.intrinsics) return logicalId;
    return this.intrinsics.resolve(written, `/Resources/${logicalId}/Properties/FunctionName`);
  }

  /** The id of a REST API (also its `Ref`). */
  apiId(logicalId: string): string {
    return this.madeUp(logicalId, 10);
  }

  /** The root resource id of a REST API. */
  rootResourceId(logicalId: string): string {
    return this.madeUp(`${logicalId}/`, 10);
  }

  ref(logicalId: string, _pointer: string): unknown {
    const type = this.typeOf(logicalId)!;
    const props = this.template.resources.get(logicalId)?.properties ?? {};
    const named = (key: string) =>
      props[key] === undefined
        ? logicalId
        : this.intrinsics!.resolve(props[key], `/Resources/${logicalId}/Properties/${key}`);
    if (FUNCTION_TYPES.has(type)) return this.functionName(logicalId);
    if (API_TYPES.has(type)) return this.apiId(logicalId);
    if (GENERATED_ID_TYPES.has(type)) return this.madeUp(logicalId, 10);
    if (type === 'AWS::ApiGateway::Stage') return this.stageNames.get(logicalId) ?? named('StageName');
    if (type === 'AWS::ApiGateway::Model') return named('Name');
    if (type === 'AWS::IAM::Role') return named('RoleName');
    if (type === 'AWS::Cognito::UserPool') return this.userPoolId(logicalId);
    if (type === 'AWS::Cognito::UserPoolClient') return this.madeUp(logicalId, 26);
    return logicalId;
  }

  getAtt(logicalId: string, attribute: string, pointer: string): unknown {
    const type = this.typeOf(logicalId)!;
    const { region, accountId, partition } = this.placement;
    const fail = () =>
      this.intrinsics!.fail(`Fn::GetAtt ${logicalId}.${attribute}: not known locally for ${type}`, pointer);
    if (FUNCTION_TYPES.has(type) && attribute === 'Arn') {
      const name = this.functionName(logicalId);
      if (typeof name !== 'string') return name;
      return `arn:${partition}:lambda:${region}:${accountId}:function:${name}`;
    }
    if (API_TYPES.has(type) && attribute === 'RootResourceId') return this.rootResourceId(logicalId);
    if (type === 'AWS::IAM::Role' && attribute === 'Arn') {
      const name = this.ref(logicalId, pointer);
      if (typeof name !== 'string') return name;
      return `arn:${partition}:iam::${accountId}:role/${name}`;
    }
    if (type === 'AWS::IAM::Role' && attribute === 'RoleId')
      return `AROA${this.madeUp(logicalId, 17).toUpperCase()}`;
    if (type === 'AWS::Cognito::UserPool') {
      const id = this.userPoolId(logicalId);
      if (attribute === 'Arn') return `arn:${partition}:cognito-idp:${region}:${accountId}:userpool/${id}`;
      if (attribute === 'ProviderName') return `cognito-idp.${region}.amazonaws.com/${id}`;
      if (attribute === 'ProviderURL') return `https://cognito-idp.${region}.amazonaws.com/${id}`;
      if (attribute === 'UserPoolId') return id;
    }
    return fail();
  }

  private userPoolId(logicalId: string): string {
    return `${this.placement.region}_${this.madeUp(logicalId, 9).toUpperCase()}`;
  }

  private madeUp(logicalId: string, length: number): string {
    const id = stableId(`${this.placement.seed}\n${logicalId}`, length);
    this.byId.set(id, logicalId);
    return id;
  }
}
