/** SAM / CloudFormation / CDK templates read into the importer's model. */
export { loadTemplate, loadTemplateDocument, stackNameOf } from './load';
export type { TemplateApi, TemplateLoadOptions, TemplateLoadResult } from './load';
export type { BuiltStage, TemplateUsagePlan } from './context';
export type { TemplateFunction } from './functions';
export type { TemplateStageSettings } from './stage-settings';
export { Intrinsics, NO_VALUE, Unresolved, firstUnresolved } from './intrinsics';
export type { ResourceFacts, TemplateSections } from './intrinsics';
export { parseTemplateYaml } from './yaml';
