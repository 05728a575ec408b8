/** How values print: Java's `toString()` of the object API Gateway's Velocity would hold. */
import { writeJson } from './json';
import { TextBuilder, writeContainer, type ContainerStyle } from './text-builder';
import { formatDouble, formatNumber, HostObject, isList, isMap, JavaDouble, JsonList } from './values';

/**
 * Java `String.valueOf(value)`: maps as `{k=v, k2=v2}`, JSON arrays as compact JSON (everything inside
 * them too), other lists as `[a, b]`, null as `null`. A reference that renders null prints nothing:
 * that rule belongs to the renderer, not here.
 */
export function javaToString(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof JavaDouble) return formatDouble(value.value);
  if (value instanceof HostObject) return value.toJavaString();
  if (isList(value) || isMap(value)) {
    const out = new TextBuilder();
    writeJava(value, out);
    return out.text();
  }
  return String(value);
}

const JAVA_STYLE: ContainerStyle = {
  separator: ', ',
  key: (key) => key,
  assign: '=',
  item: (value, out) => writeJava(value, out),
};

/** Appends `String.valueOf(value)` piece by piece (see TextBuilder). */
function writeJava(value: unknown, out: TextBuilder): void {
  if (value instanceof JsonList) writeJson(value, out);
  else if (isList(value) || isMap(value)) writeContainer(value, out, JAVA_STYLE);
  else out.push(javaToString(value));
}
