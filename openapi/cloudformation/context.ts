import type { Problems } from '../problems';
import type { JsonObject } from '../values';
import type { Placement, TemplateFacts } from './facts';
import type { Intrinsics } from './intrinsics';
import type { TemplateStageSettings } from './stage-settings';
import type { SwaggerDocument } from './swagger';
import type { Template, TemplateResource } from './template';

/** What every builder of a template's APIs shares. */
export interface BuildContext {
  template: Template;
  /** The resources that exist (their Condition, if any, holds), in template order. */
  resources: TemplateResource[];
  intrinsics: Intrinsics;
  facts: TemplateFacts;
  placement: Placement;
  /** The template's folder: relative paths (CodeUri, DefinitionUri, assets) start here. */
  baseDir: string;
  stackName: string;
  problems: Problems;
  /** Start-up lines about what the template declares that apigw does not apply (yet). */
  notes: string[];
}

/** A stage of an API, as the template declares it. */
export interface BuiltStage {
  name: string;
  variables: Record<string, string>;
  /** Where it is declared (StageName, or the AWS::ApiGateway::Stage resource). */
  pointer: string;
  /** Its MethodSettings and cache cluster, when the template sets them. */
  settings?: TemplateStageSettings;
}

/** An API of the template as an OpenAPI document, ready for the importer. */
export interface BuiltApi {
  logicalId: string;
  type: string;
  document: SwaggerDocument;
  /** Template pointer of the document when it was written inline (DefinitionBody, Body). */
  bodyPointer: string | undefined;
  /** File the document was read from (DefinitionUri, BodyS3Location), if any. */
  bodyFile: string | undefined;
  stages: BuiltStage[];
  /** SAM's Auth.UsagePlan (resolved), from which SAM generates a usage plan and an API key. */
  samUsagePlan?: JsonObject;
}

/** A usage plan the template declares, or SAM generates from an API's Auth.UsagePlan. */
export interface TemplateUsagePlan {
  logicalId: string;
  name: string;
  /** The APIs and stages it covers, by logical id of the API. */
  apiStages: { api: string; stage: string; throttle?: unknown }[];
  throttle: { burstLimit?: number; rateLimit?: number } | undefined;
  quota: { limit?: number; period?: string; offset?: number } | undefined;
  /** API keys of the plan: logical id, name, and the key's value when the template gives it. */
  keys: { logicalId: string; name: string; value: string | undefined; enabled: boolean }[];
}
