import { describe, expect, it } from 'vitest';
import { MemberListCache } from './member-list-cache';

describe('MemberListCache', () => {
  it('answers only for the exact members_version it was given', () => {
    const cache = new MemberListCache();
    cache.set('c1', 3, ['a', 'b']);
    expect(cache.get('c1', 3)).toEqual(['a', 'b']);
    expect(cache.get('c1', 4)).toBeUndefined();
    expect(cache.get('c1', 2)).toBeUndefined();
    expect(cache.get('c2', 3)).toBeUndefined();
  });

  it('keeps the newer membership when two reads race', () => {
    const cache = new MemberListCache();
    cache.set('c1', 5, ['a', 'b', 'c']);
    cache.set('c1', 4, ['a', 'b']);
    expect(cache.get('c1', 5)).toEqual(['a', 'b', 'c']);
    expect(cache.get('c1', 4)).toBeUndefined();
  });

  it('forgets the least recently used conversation past its bound', () => {
    const cache = new MemberListCache(2);
    cache.set('c1', 1, ['a']);
    cache.set('c2', 1, ['b']);
    cache.get('c1', 1);
    cache.set('c3', 1, ['c']);
    expect(cache.get('c2', 1)).toBeUndefined();
    expect(cache.get('c1', 1)).toEqual(['a']);
    expect(cache.get('c3', 1)).toEqual(['c']);
  });
});
