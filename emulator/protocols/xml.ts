/** Serialises handler output into AWS's XML: arrays as repeated `<member>`/`<item>` elements. */

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** `value` as the children of an element; `listItem` names array elements (`member` or `item`). */
export function toXml(value: unknown, listItem: "member" | "item"): string {
  if (value === undefined || value === null) return "";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value))
    return value.map((item) => `<${listItem}>${toXml(item, listItem)}</${listItem}>`).join("");
  if (typeof value === "object") {
    return Object.entries(value)
      .filter(([, child]) => child !== undefined && child !== null)
      .map(([name, child]) => `<${name}>${toXml(child, listItem)}</${name}>`)
      .join("");
  }
  return escapeXml(String(value));
}
