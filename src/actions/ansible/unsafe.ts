/**
 * Marks every string of a value as Ansible "unsafe" for files ansible loads as JSON (extra vars,
 * generated playbooks): `{"__ansible_unsafe": "…"}` is decoded by ansible's JSON decoder into
 * an AnsibleUnsafeText, which Jinja never templates. Event data such as
 * `{{ lookup('pipe', 'touch /tmp/x') }}` therefore reaches the playbook as literal text.
 */
export function markUnsafe(value: unknown): unknown {
  if (typeof value === "string") return { __ansible_unsafe: value };
  if (Array.isArray(value)) return value.map(markUnsafe);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = markUnsafe(v);
    return out;
  }
  return value;
}
