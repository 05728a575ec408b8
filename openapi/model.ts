/**
 * The internal model of an imported REST API: API Gateway's own resource model (RestApi, Resource,
 * Method, Integration, IntegrationResponse), whatever OpenAPI version it came from.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS' | 'ANY';
export type IntegrationType = 'AWS' | 'AWS_PROXY' | 'HTTP' | 'HTTP_PROXY' | 'MOCK';
export type AuthorizationType = 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'COGNITO_USER_POOLS';
export type PassthroughBehavior = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';
export type ContentHandling = 'CONVERT_TO_TEXT' | 'CONVERT_TO_BINARY';

export interface ApiDefinition {
  /** Absolute path of the imported file. */
  source: string;
  title: string;
  /** 'swagger' (2.0) or 'openapi' (3.x), and the version string as written. */
  format: 'swagger' | 'openapi';
  formatVersion: string;
  /** basePath (2.0) / servers[0] base path (3.x), with its leading '/', if the document has one. */
  basePath: string | undefined;
  /** Every resource that has at least one method, in document order. */
  resources: Resource[];
  binaryMediaTypes: string[];
  /** By response type (DEFAULT_4XX, MISSING_AUTHENTICATION_TOKEN, ...). */
  gatewayResponses: Record<string, GatewayResponse>;
  requestValidators: Record<string, RequestValidator>;
  /** The root-level x-amazon-apigateway-request-validator, if any. */
  defaultRequestValidator: string | undefined;
  apiKeySource: 'HEADER' | 'AUTHORIZER';
  minimumCompressionSize: number | undefined;
  /**
   * JSON schemas by model name (definitions / components.schemas, plus one per inline request or
   * response schema). Model references inside are rewritten to `#/definitions/<Name>` for both
   * OpenAPI versions, so a validator resolves them against `{ definitions: models }`.
   */
  models: Record<string, unknown>;
  /** Lambda/Cognito authorizers by security scheme name. */
  authorizers: Record<string, Authorizer>;
  /** The resource policy (`x-amazon-apigateway-policy`), checked at import; undefined: none. */
  policy?: ResourcePolicyDocument;
  /** The API's id when its source fixes one (a template's REST API: the value of its `Ref`). */
  apiId?: string;
  /** The logical id of the template resource the API came from (SAM / CloudFormation / CDK). */
  logicalId?: string;
}

export interface Resource {
  /** The resource path template, e.g. `/{folder}/{item}` or `/{proxy+}`; `/` for the root. */
  path: string;
  /** JSON pointer of the path item in the source document. */
  pointer: string;
  /** By HTTP method (ANY for x-amazon-apigateway-any-method). */
  methods: Partial<Record<HttpMethod, Method>>;
}

export interface Method {
  httpMethod: HttpMethod;
  resourcePath: string;
  /** JSON pointer of the operation object. */
  pointer: string;
  operationName: string | undefined;
  authorizationType: AuthorizationType;
  /** Security scheme name of a CUSTOM / COGNITO authorizer. */
  authorizerName: string | undefined;
  apiKeyRequired: boolean;
  /**
   * OAuth scopes of a COGNITO_USER_POOLS method (its security requirement's list): with them only
   * access tokens granting one of them pass; without, only ID tokens.
   */
  authorizationScopes?: string[];
  /** `method.request.{path|querystring|header}.<name>` → required. Path parameters are always required. */
  requestParameters: Record<string, boolean>;
  /** Content type → model name. */
  requestModels: Record<string, string>;
  /** Effective validator name (operation-level, else root-level), if any. */
  requestValidator: string | undefined;
  /** By status code. */
  methodResponses: Record<string, MethodResponse>;
  integration: Integration;
  /**
   * For an API read from a template: the logical id of the resource that declared the method (a
   * SAM function whose Api event it is, an AWS::ApiGateway::Method, or the API itself).
   */
  origin?: string;
}

export interface MethodResponse {
  statusCode: string;
  /** `method.response.header.<name>` → required. */
  responseParameters: Record<string, boolean>;
  /** Content type → model name. */
  responseModels: Record<string, string>;
}

/** Where an integration sends requests, read from its uri. */
export type IntegrationTarget =
  | { kind: 'aws-path'; region: string; service: string; subdomain: string | undefined; path: string }
  | {
      kind: 'aws-action';
      region: string;
      service: string;
      subdomain: string | undefined;
      action: string;
      parameters: string;
    }
  | { kind: 'http'; url: string }
  | { kind: 'none' };

export interface Integration {
  type: IntegrationType;
  uri: string | undefined;
  target: IntegrationTarget;
  /** The method used to call the backend; ANY means the client's method. */
  httpMethod: string | undefined;
  credentials: string | undefined;
  /** `integration.request.{path|querystring|header}.<name>` → source expression. */
  requestParameters: Record<string, string>;
  /** Content type → VTL template. */
  requestTemplates: Record<string, string>;
  passthroughBehavior: PassthroughBehavior;
  contentHandling: ContentHandling | undefined;
  timeoutInMillis: number;
  cacheKeyParameters: string[];
  cacheNamespace: string | undefined;
  connectionType: string | undefined;
  connectionId: string | undefined;
  tlsConfig: { insecureSkipVerification?: boolean } | undefined;
  /** In declaration order; the default one has selectionPattern undefined. */
  integrationResponses: IntegrationResponse[];
  /** The x-amazon-apigateway-integration object exactly as written (every field kept). */
  raw: Record<string, unknown>;
  pointer: string;
}

export interface IntegrationResponse {
  /** Java regex matched against the whole selection string; undefined for `default`. */
  selectionPattern: string | undefined;
  statusCode: string;
  /** `method.response.header.<name>` → source expression. */
  responseParameters: Record<string, string>;
  /** Content type → VTL template. */
  responseTemplates: Record<string, string>;
  contentHandling: ContentHandling | undefined;
  pointer: string;
}

export interface GatewayResponse {
  statusCode: string | undefined;
  /** `gatewayresponse.header.<name>` → source expression. */
  responseParameters: Record<string, string>;
  /** Content type → template (plain substitution, not VTL). */
  responseTemplates: Record<string, string>;
}

export interface RequestValidator {
  validateRequestBody: boolean;
  validateRequestParameters: boolean;
}

export interface Authorizer {
  name: string;
  type: string;
  authorizerUri: string | undefined;
  authorizerCredentials: string | undefined;
  identitySource: string | undefined;
  identityValidationExpression: string | undefined;
  authorizerResultTtlInSeconds: number | undefined;
  /** The user pools of a cognito_user_pools authorizer: `arn:aws:cognito-idp:{region}:{account}:userpool/{id}`. */
  providerARNs?: string[];
  raw: Record<string, unknown>;
}

/** One statement of a resource policy, normalised: every list a list, conditions by operator and key. */
export interface ResourcePolicyStatement {
  effect: 'Allow' | 'Deny';
  /** `*` (everyone), or AWS principals (account ids, account/user/role ARNs); undefined with NotPrincipal. */
  principals: '*' | string[] | undefined;
  /** NotPrincipal: the statement applies to everyone except these. */
  notPrincipals?: '*' | string[];
  actions: string[] | undefined;
  notActions?: string[];
  /** As written: `execute-api:/stage/VERB/path` (short form) or full execute-api ARNs, wildcards allowed. */
  resources: string[] | undefined;
  notResources?: string[];
  /** Operator (`IpAddress`, `StringLike`, ...) → condition key → values. */
  conditions: Record<string, Record<string, string[]>>;
  pointer: string;
}

/** A resource policy as the importer read it. */
export interface ResourcePolicyDocument {
  statements: ResourcePolicyStatement[];
  pointer: string;
}
