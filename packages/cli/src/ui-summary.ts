// One line per UI contribution of a manifest, as `diaryx-plugin inspect` lists them: the slot, the
// id and label, what it holds (settings fields by type and key) or runs (its plugin command).

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** `Text server, Toggle auto` for a list of settings fields (nested ones of a Conditional too). */
function fieldsOf(fields: unknown): string {
  if (!Array.isArray(fields)) return '';
  return fields
    .map((field) => {
      if (!isObject(field)) return '?';
      const name = text(field['key']) ?? text(field['label']) ?? text(field['widget_id']) ?? text(field['feature']) ?? text(field['condition']) ?? '';
      const nested = field['type'] === 'Conditional' ? ` (${fieldsOf(field['fields'])})` : '';
      return `${text(field['type']) ?? '?'}${name === '' ? '' : ` ${name}`}${nested}`;
    })
    .join(', ');
}

/** A line describing one `ui` element (it may be malformed: this reads what is there). */
export function summarizeUiElement(element: unknown): string {
  if (!isObject(element)) return JSON.stringify(element) ?? String(element);
  const slot = text(element['slot']) ?? '(no slot)';
  const id = text(element['id']) ?? text(element['extension_id']);
  const label = text(element['label']) ?? (isObject(element['insert_command']) ? text(element['insert_command']['label']) : undefined);
  const parts = [slot, id === undefined ? '' : `'${id}'`, label === undefined ? '' : JSON.stringify(label)].filter(Boolean);
  const where = [text(element['side']), text(element['position']), text(element['target'])].filter(Boolean);
  if (where.length > 0) parts.push(`(${where.join(', ')})`);
  const fields = fieldsOf(element['fields'] ?? (isObject(element['component']) ? element['component']['fields'] : undefined));
  if (fields !== '') parts.push(`fields: ${fields}`);
  if (isObject(element['component']) && element['component']['type'] !== 'Declarative') {
    parts.push(`component: ${text(element['component']['type']) ?? '?'} ${text(element['component']['component_id']) ?? ''}`.trimEnd());
  }
  const command = text(element['plugin_command']);
  if (command !== undefined) parts.push(`→ command ${command}`);
  return parts.join(' ');
}
