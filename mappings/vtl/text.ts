/** How values print: Java's `toString()` of the object API Gateway's Velocity would hold. */
import { toJsonText } from './json';
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
  if (value instanceof JsonList) return toJsonText(value);
  if (isList(value)) return `[${value.map(javaToString).join(', ')}]`;
  if (isMap(value)) {
    return `{${Object.keys(value)
      .map((k) => `${k}=${javaToString(value[k])}`)
      .join(', ')}}`;
  }
  if (value instanceof HostObject) return value.toJavaString();
  return String(value);
}
