import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { artifactCommands, hostLimit } from "../../src/actions/ansible/eda-vars.js";
import { JsonLinesTail } from "../../src/actions/ansible/events-tail.js";
import { attemptPolicy, pause } from "../../src/actions/ansible/retry-policy.js";
import { ansibleArgv, ansibleEnv } from "../../src/actions/ansible/run-attempt.js";
import { moduleArtifacts, modulePlaybook } from "../../src/actions/ansible/run-module.js";
import { playbookArtifacts, resolvePlaybook } from "../../src/actions/ansible/run-playbook.js";
import { ansibleSettings } from "../../src/actions/ansible/settings.js";
import { markUnsafe } from "../../src/actions/ansible/unsafe.js";
import { tailText } from "../../src/actions/ansible/ansible-action.js";
import { actionCtx } from "../integration/action-ctx-helper.js";

const dir = mkdtempSync(join(tmpdir(), "hb-ansible-unit-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("ansible action parts", () => {
  test("attempts = 1 + retries; retry: true means at least one retry; delay in seconds", () => {
    assert.deepEqual(attemptPolicy({}), { attempts: 1, delayMs: 0 });
    assert.deepEqual(attemptPolicy({ retries: 3, delay: 1.5 }), { attempts: 4, delayMs: 1500 });
    assert.deepEqual(attemptPolicy({ retry: true }), { attempts: 2, delayMs: 0 });
    assert.deepEqual(attemptPolicy({ retry: true, retries: 3 }), { attempts: 4, delayMs: 0 });
    assert.deepEqual(attemptPolicy({ retry: false, retries: -2, delay: -1 }), { attempts: 1, delayMs: 0 });
  });

  test("pause ends early on abort", async () => {
    const ac = new AbortController();
    const p = pause(60_000, ac.signal);
    ac.abort();
    assert.equal(await p, false);
    assert.equal(await pause(0, new AbortController().signal), true);
  });

  test("markUnsafe wraps every string, keeps other values", () => {
    assert.deepEqual(markUnsafe({ a: "x", b: [1, "y", null, true], c: { d: "{{ z }}" } }), {
      a: { __ansible_unsafe: "x" },
      b: [1, { __ansible_unsafe: "y" }, null, true],
      c: { d: { __ansible_unsafe: "{{ z }}" } },
    });
  });

  test("host limit: none for all, joined otherwise, '@file' refused", () => {
    assert.deepEqual(hostLimit(["all"]), {});
    assert.deepEqual(hostLimit([]), {});
    assert.deepEqual(hostLimit(["a", "b"]), { limit: "a,b" });
    assert.ok(hostLimit(["a", "@/etc/passwd"]).error);
  });

  test("argv: options as --name=value, verbosity clamped, playbook last", () => {
    assert.deepEqual(ansibleArgv({ inventory: ["/i1", "/i2"], extraVarsFile: "/p/ev.json", limit: "-x", verbosity: 9, playbook: "/p/pb.yml" }), [
      "--inventory=/i1",
      "--inventory=/i2",
      "--extra-vars=@/p/ev.json",
      "--limit=-x",
      "-vvvvvv",
      "/p/pb.yml",
    ]);
    assert.deepEqual(ansibleArgv({ inventory: [], extraVarsFile: "/e", verbosity: 0, playbook: "ns.coll.pb" }), ["--extra-vars=@/e", "ns.coll.pb"]);
  });

  test("env: our plugin first on the callback path, user env applied, json mode", () => {
    const settings = ansibleSettings({ ansible: { env: { ANSIBLE_NOCOWS: "0", ANSIBLE_CALLBACK_PLUGINS: "/mine" } } }, "/cwd");
    const env = ansibleEnv({ settings, privateDir: "/p", pluginDir: "/p/callbacks", jsonMode: true }, "/p/events.jsonl");
    assert.equal(env.ANSIBLE_CALLBACK_PLUGINS, "/p/callbacks:/mine");
    assert.equal(env.ANSIBLE_NOCOWS, "0");
    assert.equal(env.HOOKBOOK_EVENTS_FILE, "/p/events.jsonl");
    assert.equal(env.ANSIBLE_STDOUT_CALLBACK, "hookbook_json");
    assert.equal(env.ANSIBLE_LOCAL_TEMP, "/p/tmp");
  });

  test("settings: inventory paths resolved against the working directory", () => {
    assert.deepEqual(ansibleSettings({ ansible: { inventory: "inv/hosts" } }, "/w").inventory, ["/w/inv/hosts"]);
    assert.deepEqual(ansibleSettings({ ansible: { inventory: ["/abs", "rel"] } }, "/w").inventory, ["/abs", "/w/rel"]);
    assert.equal(ansibleSettings({}, "/w").program, "ansible-playbook");
  });

  test("playbook: existing file → absolute path; collection FQCN passes; anything else is an error", () => {
    const file = join(dir, "site.yml");
    writeFileSync(file, "- hosts: all\n");
    assert.equal(resolvePlaybook("site.yml", dir), file);
    assert.equal(resolvePlaybook("my_ns.my_coll.deploy", dir), "my_ns.my_coll.deploy");
    assert.ok(typeof resolvePlaybook("missing.yml", dir) === "object");
    assert.ok(typeof resolvePlaybook("--version", dir) === "object");
    assert.ok(typeof resolvePlaybook("", dir) === "object");
  });

  test("module playbook: hosts = limit or all, no facts, args unsafe, result per host via set_stats", () => {
    const [play] = modulePlaybook("ansible.builtin.debug", { msg: "{{ x }}" }, "h1,h2") as Record<string, unknown>[];
    assert.deepEqual(play?.hosts, { __ansible_unsafe: "h1,h2" });
    assert.equal(play?.gather_facts, false);
    const tasks = play?.tasks as Record<string, unknown>[];
    assert.deepEqual(tasks[0], { name: "ansible.builtin.debug", "ansible.builtin.debug": { msg: { __ansible_unsafe: "{{ x }}" } }, register: "module_result" });
    assert.deepEqual((tasks[1]?.["ansible.builtin.set_stats"] as { per_host: boolean }).per_host, true);
    assert.deepEqual((modulePlaybook("ping", undefined, undefined)[0] as { hosts: unknown }).hosts, { __ansible_unsafe: "all" });
  });

  test("artifacts: global set_stats data then per host; module_result per host", () => {
    assert.deepEqual(playbookArtifacts({ _run: { a: 1 }, h2: { b: 2 }, h1: { c: 3 } }), [{ a: 1 }, { c: 3 }, { b: 2 }]);
    assert.deepEqual(moduleArtifacts({ h2: { module_result: { msg: "b" } }, h1: { module_result: { msg: "a" } }, _run: { x: 1 } }), [{ msg: "a" }, { msg: "b" }]);
  });

  test("artifact commands: set_fact then post_event per non-empty artifact, ruleset default current", () => {
    const { ctx } = actionCtx({ name: "run_playbook", args: { set_facts: true, post_events: true } });
    assert.deepEqual(artifactCommands(ctx, [{ a: 1 }, {}, null, [1]], "run_playbook"), [
      { kind: "set_fact", ruleset: "rs", fact: { a: 1 }, source: "run_playbook" },
      { kind: "post_event", ruleset: "rs", event: { a: 1 }, source: "run_playbook" },
    ]);
    const none = actionCtx({ name: "run_playbook", args: {} });
    assert.deepEqual(artifactCommands(none.ctx, [{ a: 1 }], "run_playbook"), []);
  });

  test("output keeps the tail", () => {
    assert.equal(tailText("abc", 10), "abc");
    assert.equal(tailText("0123456789", 4), "…[truncated 6 bytes]6789");
  });

  test("JSON-lines tail: complete lines once, in order, across partial writes and UTF-8 splits", async () => {
    const file = join(dir, "events.jsonl");
    const got: unknown[] = [];
    const tail = new JsonLinesTail(file, async (v) => void got.push(v));
    await tail.poll(); // file absent: nothing
    appendFileSync(file, '{"n":1}\n{"n":');
    await tail.poll();
    assert.deepEqual(got, [{ n: 1 }]);
    const bytes = Buffer.from('2,"s":"é"}\nnot json\n', "utf8");
    const cut = bytes.indexOf(0xa9); // inside the two-byte é
    appendFileSync(file, bytes.subarray(0, cut));
    await tail.poll();
    appendFileSync(file, bytes.subarray(cut));
    await Promise.all([tail.poll(), tail.poll()]);
    assert.deepEqual(got, [{ n: 1 }, { n: 2, s: "é" }]);
  });
});
