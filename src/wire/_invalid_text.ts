/**
 * Text that is not valid UTF-8, private to wire/: cbor-x decodes it silently with U+FFFD in place
 * of the bad bytes, so a decoded message with a U+FFFD is checked again, strictly, on its bytes.
 */

/**
 * What `decodeCbor` returns for a message with text that is not valid UTF-8, in place of the
 * message: the field checks refuse it with their code (`BAD_REQUEST` or `PROTOCOL`).
 */
export const NOT_UTF8: unique symbol = Symbol("text that is not valid UTF-8");

/** Whether a decoded value holds a U+FFFD in any text or map key (valid or replacing bad bytes). */
export function hasReplacement(value: unknown): boolean {
  const todo: unknown[] = [value];
  while (todo.length > 0) {
    const item = todo.pop();
    if (typeof item === "string") {
      if (item.includes("\uFFFD")) return true;
    } else if (Array.isArray(item)) {
      for (const element of item) todo.push(element);
    } else if (typeof item === "object" && item !== null && !(item instanceof Uint8Array)) {
      for (const key in item) {
        if (key.includes("\uFFFD")) return true;
        todo.push((item as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Whether one well-formed CBOR item holds a text string (a map key, or a chunk of an
 * indefinite-length text) that is not valid UTF-8. Bytes that are not well-formed count as such.
 */
export function hasInvalidText(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // items still to read in each open array, map or tag; Infinity: until a break
  const open: number[] = [1];
  let at = 0;
  try {
    while (open.length > 0) {
      const top = open.length - 1;
      if (open[top] === 0) {
        open.pop();
        continue;
      }
      if (at >= bytes.length) return true;
      const initial = bytes[at++]!;
      if (initial === 0xff) { // a break ends the innermost indefinite-length item
        open.pop();
        continue;
      }
      open[top] = open[top]! - 1;
      const info = initial & 0x1f;
      let argument = info;
      if (info === 24) argument = view.getUint8(at);
      else if (info === 25) argument = view.getUint16(at);
      else if (info === 26) argument = view.getUint32(at);
      else if (info === 27) argument = view.getUint32(at) * 2 ** 32 + view.getUint32(at + 4);
      else if (info === 31) argument = Infinity;
      else if (info > 27) return true;
      if (info >= 24 && info <= 27) at += 2 ** (info - 24);
      switch (initial >> 5) {
        case 2: // bytes: skipped
        case 3: // text: checked
          if (argument === Infinity) {
            open.push(Infinity);
            break;
          }
          if (at + argument > bytes.length) return true;
          if (initial >> 5 === 3) strictUtf8.decode(bytes.subarray(at, at + argument));
          at += argument;
          break;
        case 4:
          open.push(argument);
          break;
        case 5:
          open.push(argument * 2);
          break;
        case 6: // a tag: the item it tags follows
          open.push(1);
          break;
          // 0 and 1 (integers) and 7 (floats, simple values) end with their argument
      }
    }
  } catch {
    // the strict decoder refused a text, or a read went past the end
    return true;
  }
  return false;
}
