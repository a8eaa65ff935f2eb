/** A JSON object: not null, not an array. */
export const isJsonObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The errors `parseJsonObject` throws: for text that is not JSON (given the parser's error), and for JSON that is not an object. */
export interface JsonObjectErrors {
  notJson: (cause: unknown) => Error;
  notObject: () => Error;
}

/** `text` as the JSON object it must be; each way it is not throws its caller's own error. */
export function parseJsonObject(text: string, errors: JsonObjectErrors): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw errors.notJson(cause);
  }
  if (!isJsonObject(value)) throw errors.notObject();
  return value;
}
