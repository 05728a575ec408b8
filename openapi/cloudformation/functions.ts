import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pointerTo } from '../problems';
import { describe, isObject, type JsonObject } from '../values';
import { Unresolved, type Intrinsics } from './intrinsics';
import type { TemplateFacts } from './facts';
import type { Template, TemplateResource } from './template';

/** A function of the template, as the embedded Lambda would run it. */
export interface TemplateFunction {
  logicalId: string;
  type: string;
  /** The name it is invoked by (its FunctionName, else its logical id). */
  name: string;
  runtime: string | undefined;
  /** The module and export to run, when the code was found on disk. */
  handler: { file: string; exportName: string } | undefined;
  /** Inline code (`InlineCode`, `Code.ZipFile`) and the module name the Handler gives it. */
  inline: { code: string; module: string; exportName: string } | undefined;
  /** Seconds and MB as written (the embedded Lambda checks their ranges). */
  timeout: unknown;
  memory: unknown;
  environment: Record<string, string>;
  /**
   * Why it cannot run on the embedded Lambda. `fatal`: the template is wrong for running locally
   * (code folder missing, handler not found) and a route that needs it stops start-up; otherwise
   * (another runtime, code only in S3) it is reported and its routes answer as a failing function.
   */
  problem: { message: string; fatal: boolean } | undefined;
  pointer: string;
}

const NODE_RUNTIME = /^nodejs\d+\.x$/;
/** The files a Node.js handler module may be, in the order the Lambda runtime tries them (.ts: run as is). */
const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts'];

/**
 * SAM's Globals: a property the function does not set comes from `Globals.Function`; maps are
 * merged key by key (the function's win) and lists are joined.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html
 */
export function withGlobals(own: JsonObject, globals: unknown): JsonObject {
  if (!isObject(globals)) return own;
  const out: JsonObject = { ...globals };
  for (const [key, value] of Object.entries(own)) {
    const inherited = out[key];
    if (isObject(value) && isObject(inherited) && !isIntrinsic(value) && !isIntrinsic(inherited))
      out[key] = withGlobals(value, inherited);
    else if (Array.isArray(value) && Array.isArray(inherited)) out[key] = [...inherited, ...value];
    else out[key] = value;
  }
  return out;
}

function isIntrinsic(value: JsonObject): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/** Reads every AWS::Serverless::Function and AWS::Lambda::Function of `resources` (those that exist). */
export function readFunctions(
  template: Template,
  resources: readonly TemplateResource[],
  intrinsics: Intrinsics,
  facts: TemplateFacts,
  baseDir: string,
  warn: (pointer: string, message: string) => void,
): Map<string, TemplateFunction> {
  const functions = new Map<string, TemplateFunction>();
  for (const resource of resources) {
    if (resource.type !== 'AWS::Serverless::Function' && resource.type !== 'AWS::Lambda::Function') continue;
    functions.set(resource.logicalId, readFunction(resource, template, intrinsics, facts, baseDir, warn));
  }
  return functions;
}

function readFunction(
  resource: TemplateResource,
  template: Template,
  intrinsics: Intrinsics,
  facts: TemplateFacts,
  baseDir: string,
  warn: (pointer: string, message: string) => void,
): TemplateFunction {
  const sam = resource.type === 'AWS::Serverless::Function';
  const at = `/Resources/${resource.logicalId}/Properties`;
  const props = sam ? withGlobals(resource.properties, template.globals.Function) : resource.properties;
  const value = (key: string) => intrinsics.resolve(props[key], pointerTo(at, key));
  const name = facts.functionName(resource.logicalId);
  const fn: TemplateFunction = {
    logicalId: resource.logicalId,
    type: resource.type,
    name: typeof name === 'string' ? name : resource.logicalId,
    runtime: undefined,
    handler: undefined,
    inline: undefined,
    timeout: value('Timeout'),
    memory: value('MemorySize'),
    environment: environmentOf(value('Environment'), pointerTo(at, 'Environment'), warn),
    problem: undefined,
    pointer: `/Resources/${resource.logicalId}`,
  };
  const fail = (message: string, fatal: boolean) => {
    fn.problem ??= { message, fatal };
    return fn;
  };
  if (fn.timeout === undefined) fn.timeout = 3;
  if (fn.memory === undefined) fn.memory = 128;
  if (name instanceof Unresolved) return fail(`its FunctionName cannot be resolved: ${name.reason}`, true);
  if (value('PackageType') === 'Image')
    return fail(
      'it is a container image (PackageType: Image), which the embedded Lambda does not run',
      false,
    );
  const runtime = value('Runtime');
  if (runtime instanceof Unresolved) return fail(`its Runtime cannot be resolved: ${runtime.reason}`, true);
  fn.runtime = typeof runtime === 'string' ? runtime : undefined;
  if (!fn.runtime || !NODE_RUNTIME.test(fn.runtime)) {
    return fail(
      `runtime ${fn.runtime ?? '(none)'} is not run by the embedded Lambda, which runs Node.js (nodejs*.x) functions`,
      false,
    );
  }
  const handler = value('Handler');
  if (handler instanceof Unresolved) return fail(`its Handler cannot be resolved: ${handler.reason}`, true);
  if (typeof handler !== 'string' || !/^.+\.[A-Za-z_$][A-Za-z0-9_$]*$/.test(handler))
    return fail(`Handler must be module.export (e.g. app.lambdaHandler), not ${describe(handler)}`, true);
  const dot = handler.lastIndexOf('.');
  const [module, exportName] = [handler.slice(0, dot), handler.slice(dot + 1)];

  const code = locateCode(resource, props, sam, value, baseDir);
  if ('inline' in code) {
    fn.inline = { code: code.inline, module, exportName };
    return fn;
  }
  if ('problem' in code) return fail(code.problem, code.fatal);
  const file = MODULE_EXTENSIONS.map((ext) => path.join(code.dir, module + ext)).find((f) => existsSync(f));
  if (!file)
    return fail(
      `its handler module ${module} (${MODULE_EXTENSIONS.join(', ')}) is not in ${code.dir} (Handler: ${handler})`,
      true,
    );
  fn.handler = { file, exportName };
  return fn;
}

type CodeLocation = { dir: string } | { inline: string } | { problem: string; fatal: boolean };

/**
 * Where the function's code is on this machine: SAM's CodeUri (a folder, relative to the
 * template), CloudFormation's Code as a local path, or the folder the CDK wrote the asset to
 * (Metadata aws:asset:path, next to the template in cdk.out).
 */
function locateCode(
  resource: TemplateResource,
  props: JsonObject,
  sam: boolean,
  value: (key: string) => unknown,
  baseDir: string,
): CodeLocation {
  const assetPath = resource.metadata['aws:asset:path'];
  const assetProperty = resource.metadata['aws:asset:property'];
  if (
    typeof assetPath === 'string' &&
    (assetProperty === undefined || assetProperty === 'Code' || assetProperty === 'CodeUri')
  )
    return folder(path.resolve(baseDir, assetPath), 'aws:asset:path');
  if (sam) {
    const inline = value('InlineCode');
    if (typeof inline === 'string') return { inline };
    const codeUri = value('CodeUri');
    if (codeUri === undefined) return folder(baseDir, 'CodeUri (none: the template folder)');
    if (codeUri instanceof Unresolved)
      return { problem: `its CodeUri cannot be resolved: ${codeUri.reason}`, fatal: true };
    if (typeof codeUri === 'string' && !/^s3:\/\//.test(codeUri))
      return folder(path.resolve(baseDir, codeUri), 'CodeUri');
    return {
      problem: `its code is in S3 (CodeUri ${JSON.stringify(codeUri)}), not on this machine`,
      fatal: false,
    };
  }
  const code = value('Code');
  if (code instanceof Unresolved)
    return { problem: `its Code cannot be resolved: ${code.reason}`, fatal: true };
  if (typeof code === 'string') return folder(path.resolve(baseDir, code), 'Code');
  if (isObject(code) && typeof code.ZipFile === 'string') return { inline: code.ZipFile };
  if (isObject(code) && code.ImageUri !== undefined)
    return {
      problem: 'it is a container image (Code.ImageUri), which the embedded Lambda does not run',
      fatal: false,
    };
  return {
    problem:
      'its code is in S3 (Code.S3Bucket/S3Key) and no local folder is named (CDK: Metadata aws:asset:path)',
    fatal: false,
  };
}

function folder(dir: string, from: string): CodeLocation {
  if (existsSync(dir) && statSync(dir).isDirectory()) return { dir };
  if (existsSync(dir) && /\.zip$/i.test(dir))
    return { problem: `its code is a zip file (${dir}); give the unzipped folder instead`, fatal: true };
  return { problem: `its code folder ${dir} (${from}) does not exist`, fatal: true };
}

function environmentOf(
  environment: unknown,
  pointer: string,
  warn: (pointer: string, message: string) => void,
): Record<string, string> {
  if (!isObject(environment) || !isObject(environment.Variables)) return {};
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(environment.Variables)) {
    if (v instanceof Unresolved) {
      warn(v.pointer, `environment variable ${name} is not set: ${v.reason}`);
      continue;
    }
    if (['string', 'number', 'boolean'].includes(typeof v)) out[name] = String(v);
    else
      warn(
        pointerTo(pointer, 'Variables', name),
        `environment variable ${name} must be a string, not ${describe(v)}; not set`,
      );
  }
  return out;
}
