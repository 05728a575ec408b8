import { compileUriTemplate } from '../../mappings/uri-template';
import { compileBackendUrl } from '../../gateway/integrations/http';

describe('integration uri templates, compiled at load', () => {
  test('stage variables are filled once, path values per render, missing ones empty', () => {
    const uri = compileUriTemplate('/${stageVariables.bucket}/{folder}/{item}', { bucket: 'photos' }, 'path');
    expect(uri.names).toEqual(['folder', 'item']);
    expect(uri.render({ folder: '2026', item: 'cat%2Fdog.jpg' })).toBe('/photos/2026/cat%2Fdog.jpg');
    expect(uri.render({ folder: 'x' })).toBe('/photos/x/');
    expect(compileUriTemplate('/${stageVariables.nope}/k', {}, 'path').render({})).toBe('//k');
  });

  test('{name+} is a placeholder in http uris only, as the two renderers always read it', () => {
    expect(compileUriTemplate('http://h/{proxy+}', {}, 'url').render({ proxy: 'a/b' })).toBe('http://h/a/b');
    expect(compileUriTemplate('/b/{proxy+}', {}, 'path').render({ proxy: 'a/b', 'proxy+': 'p' })).toBe(
      '/b/p',
    );
  });

  test('an http uri without placeholders is parsed once and shared; a bad one is undefined', () => {
    const fixed = compileBackendUrl('http://127.0.0.1:${stageVariables.port}/base?x=1', { port: '8081' });
    const first = fixed({});
    expect(first?.href).toBe('http://127.0.0.1:8081/base?x=1');
    expect(fixed({ anything: 'else' })).toBe(first);
    const perRequest = compileBackendUrl('https://example.com/{id}', {});
    expect(perRequest({ id: '7' })?.href).toBe('https://example.com/7');
    expect(perRequest({ id: '7' })).not.toBe(perRequest({ id: '7' }));
    expect(compileBackendUrl('ftp://example.com/x', {})({})).toBeUndefined();
    expect(compileBackendUrl('http://${stageVariables.host}', {})({})).toBeUndefined();
  });
});
