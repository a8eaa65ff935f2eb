/**
 * DynamoDB expressions built with placeholders only: attribute names such as
 * `state` and `collection` are reserved words, and values never enter the text.
 */
export class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  readonly #sets: string[] = [];
  readonly #removes: string[] = [];
  #values = 0;

  /** The placeholder of an attribute name. */
  name(attribute: string): string {
    const placeholder = `#${attribute}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  /** The placeholder of a value. */
  value(value: unknown): string {
    const placeholder = `:v${this.#values++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  set(attribute: string, value: unknown): this {
    this.#sets.push(`${this.name(attribute)} = ${this.value(value)}`);
    return this;
  }

  /** Sets it only if the item has none yet. */
  setOnce(attribute: string, value: unknown): this {
    const name = this.name(attribute);
    this.#sets.push(`${name} = if_not_exists(${name}, ${this.value(value)})`);
    return this;
  }

  remove(attribute: string): this {
    this.#removes.push(this.name(attribute));
    return this;
  }

  /** Sets it when defined, removes it otherwise. */
  setOrRemove(attribute: string, value: unknown): this {
    return value === undefined ? this.remove(attribute) : this.set(attribute, value);
  }

  /** Sets each defined value. */
  setEach(attributes: Record<string, unknown>): this {
    for (const [attribute, value] of Object.entries(attributes)) if (value !== undefined) this.set(attribute, value);
    return this;
  }

  /** Sets each defined value once. */
  setEachOnce(attributes: Record<string, unknown>): this {
    for (const [attribute, value] of Object.entries(attributes)) if (value !== undefined) this.setOnce(attribute, value);
    return this;
  }

  update(): string {
    return [this.#sets.length ? `SET ${this.#sets.join(', ')}` : '', this.#removes.length ? `REMOVE ${this.#removes.join(', ')}` : ''].filter(Boolean).join(' ');
  }
}
