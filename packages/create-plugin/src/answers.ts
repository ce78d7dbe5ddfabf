/** The templates `create-diaryx-plugin` can write. */
export const TEMPLATES = ['ts', 'assemblyscript', 'js'] as const;
/** A template name. */
export type TemplateName = (typeof TEMPLATES)[number];

/** The permissions a new plugin can request, with the reason written into its manifest. */
export const PERMISSION_REASONS = {
  read_files: 'to read the notes you ask it about',
  edit_files: 'to update notes you ask it to change',
  create_files: 'to create new notes',
  delete_files: 'to delete notes you ask it to remove',
  http_requests: 'to talk to its web service',
  plugin_storage: 'to remember its settings',
} as const;
/** A permission a new plugin can request. */
export type RequestablePermission = keyof typeof PERMISSION_REASONS;

/** Everything the scaffolder needs to write a project. */
export interface PluginAnswers {
  /** The folder to create (relative to the current directory or absolute). */
  directory: string;
  /** The display name, e.g. `My Plugin`. */
  name: string;
  /** The plugin id, e.g. `com.example.my-plugin`. */
  id: string;
  description: string;
  template: TemplateName;
  permissions: RequestablePermission[];
}

/** `my-plugin` → `My Plugin`. */
export function titleFromFolder(folder: string): string {
  const words = folder.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ') || 'My Plugin';
}

/** `My Plugin` → `com.example.my-plugin`. */
export function idFromName(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `com.example.${/^[a-z]/.test(slug) ? slug : `plugin-${slug || 'new'}`}`;
}
