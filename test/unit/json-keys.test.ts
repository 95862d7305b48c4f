import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repeatedKey } from '../../src/server/json-keys.js';

describe('repeatedKey', () => {
  it('finds the first key repeated within one object, with its path', () => {
    expect(repeatedKey('{"a":1,"b":2}')).toBeNull();
    expect(repeatedKey('{"a":1,"a":2}')).toEqual(['a']);
    expect(repeatedKey('[{"a":1},{"a":2,"b":[1,{"c":1,"c":2}]}]')).toEqual([1, 'b', 1, 'c']);
    expect(repeatedKey('{"3":{"temp":1,"temp":2}}')).toEqual(['3', 'temp']);
    expect(repeatedKey('{"3":{},"3":{}}')).toEqual(['3']);
  });

  it('is not fooled by strings holding quotes, braces, commas or escapes, nor by equal keys in different objects', () => {
    expect(repeatedKey('{"a\\"b":"{,}[\\"]","c":["a","a"],"d":{"a\\"b":1}}')).toBeNull();
    expect(repeatedKey('{"\\u0061":1,"a":2}')).toEqual(['a']);
  });

  it('agrees with JSON.parse on any JSON without repeats (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(repeatedKey(JSON.stringify(value))).toBeNull();
      }),
    );
  });
});
