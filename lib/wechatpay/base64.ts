const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes canonical base64 only. Node's own decoder skips invalid characters
 * and tolerates missing padding, so two different strings could decode to the
 * same bytes; WeChat Pay always sends canonical, padded base64.
 */
export function decodeStrictBase64(text: string): Buffer | undefined {
  if (text.length === 0 || !STRICT_BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Non-zero bits in the last character's padding would also decode; reject them.
  return bytes.toString('base64') === text ? bytes : undefined;
}
