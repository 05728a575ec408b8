import { isBinaryMediaType, mediaTypeOfHeader } from '../../mappings/content';

describe('binary media types (reference §7.1)', () => {
  test('the first media type of a header, without parameters', () => {
    expect(mediaTypeOfHeader('image/webp,image/png,*/*;q=0.8')).toBe('image/webp');
    expect(mediaTypeOfHeader('Application/JSON; charset=UTF-8')).toBe('application/json');
    expect(mediaTypeOfHeader(undefined)).toBeUndefined();
    expect(mediaTypeOfHeader('')).toBeUndefined();
  });

  test('exact, type/* and */* entries; wildcards in the value are not expanded', () => {
    expect(isBinaryMediaType('image/png', ['image/png'])).toBe(true);
    expect(isBinaryMediaType('image/jpeg', ['image/png'])).toBe(false);
    expect(isBinaryMediaType('application/whatever', ['application/*'])).toBe(true);
    expect(isBinaryMediaType('text/plain', ['*/*'])).toBe(true);
    expect(isBinaryMediaType('image/*', ['image/png'])).toBe(false);
    expect(isBinaryMediaType('*/*', ['image/png'])).toBe(false);
    expect(isBinaryMediaType('image/png', ['*/png'])).toBe(false);
    expect(isBinaryMediaType(undefined, ['*/*'])).toBe(false);
    expect(isBinaryMediaType('image/png', [])).toBe(false);
  });
});
