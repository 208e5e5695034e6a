/** Python `posixpath.basename / dirname / normpath` (what ansible-rulebook's filters call on Linux). */

export function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

export function dirname(p: string): string {
  const head = p.slice(0, p.lastIndexOf("/") + 1);
  if (head !== "" && !/^\/+$/.test(head)) return head.replace(/\/+$/, "");
  return head;
}

export function normpath(p: string): string {
  if (p === "") return ".";
  let initialSlashes = p.startsWith("/") ? 1 : 0;
  // POSIX allows one or two initial slashes, but treats three or more as a single slash.
  if (initialSlashes === 1 && p.startsWith("//") && !p.startsWith("///")) initialSlashes = 2;
  const out: string[] = [];
  for (const comp of p.split("/")) {
    if (comp === "" || comp === ".") continue;
    if (comp !== ".." || (initialSlashes === 0 && out.length === 0) || (out.length > 0 && out[out.length - 1] === "..")) {
      out.push(comp);
    } else if (out.length > 0) {
      out.pop();
    }
  }
  const path = "/".repeat(initialSlashes) + out.join("/");
  return path === "" ? "." : path;
}
