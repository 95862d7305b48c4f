/**
 * JSON.parse keeps the last of two equal keys without a word, so `{"temperature": 205,
 * "temperature": 20}` would predict 20 °C while the caller may have meant 205. This scan of
 * valid JSON text finds the first key repeated within one object.
 */

interface Frame {
  /** An object's keys so far; null for an array. */
  keys: Set<string> | null;
  /** The member being read: an object's key or an array's index. */
  at: string | number;
}

/** Path (array indices and keys, outermost first) of the first key that repeats within one object, or null. */
export function repeatedKey(text: string): Array<string | number> | null {
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return [...stack.slice(0, -1).map((f) => f.at), key];
        top.keys.add(key);
        top.at = key;
        expectKey = false;
      }
      i = end;
    } else if (c === '{') {
      stack.push({ keys: new Set(), at: '' });
      expectKey = true;
    } else if (c === '[') {
      stack.push({ keys: null, at: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
    }
  }
  return null;
}
