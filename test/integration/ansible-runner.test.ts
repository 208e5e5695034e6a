import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runModuleAction } from "../../src/actions/ansible/run-module.js";
import { runPlaybookAction } from "../../src/actions/ansible/run-playbook.js";
import { actionCtx } from "./action-ctx-helper.js";
import { testRunner } from "../helpers/action-runner.js";

// Real ansible-playbook against the localhost inventory the runner generates (connection local).
const dir = mkdtempSync(join(tmpdir(), "hb-ansible-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const pb = (name: string) => `actions/playbooks/${name}`;

describe("run_playbook with the real ansible-playbook", () => {
  test("success: rc 0, status, recap stats and one progress call per finished task", async () => {
    const { ctx, progress } = actionCtx({ name: "run_playbook", args: { name: pb("hello-stats.yml") } });
    const res = await runPlaybookAction.run(ctx);
    assert.equal(res.ok, true, res.message);
    assert.equal(res.data?.rc, 0);
    assert.equal(res.data?.status, "successful");
    assert.equal(res.data?.playbook, pb("hello-stats.yml"));
    assert.equal(res.data?.attempts, 1);
    assert.equal((res.data?.stats as Record<string, { ok: number; failures: number }>).localhost?.ok, 2);
    assert.deepEqual(progress, [
      { task: "say hello", host: "localhost", status: "ok", action: "ansible.builtin.debug", attempt: 1 },
      { task: "report back", host: "localhost", status: "ok", action: "ansible.builtin.set_stats", attempt: 1 },
    ]);
    assert.equal(res.commands, undefined, "no set_facts / post_events asked");
    assert.match(String(res.data?.stdout), /PLAY RECAP/);
  });

  test("set_facts and post_events return the set_stats data as engine commands", async () => {
    const { ctx } = actionCtx({ name: "run_playbook", args: { name: pb("hello-stats.yml"), set_facts: true, post_events: true, ruleset: "other" } });
    const res = await runPlaybookAction.run(ctx);
    assert.equal(res.ok, true, res.message);
    const data = { greeting: "hello", rule: "r1" };
    assert.deepEqual(res.commands, [
      { kind: "set_fact", ruleset: "other", fact: data, source: "run_playbook" },
      { kind: "post_event", ruleset: "other", event: data, source: "run_playbook" },
    ]);
    const current = actionCtx({ name: "run_playbook", args: { name: pb("hello-stats.yml"), post_events: true } });
    const res2 = await runPlaybookAction.run(current.ctx);
    assert.deepEqual(res2.commands, [{ kind: "post_event", ruleset: "rs", event: data, source: "run_playbook" }], "default: the current ruleset");
  });

  test("extra_vars = user extra_vars + ansible_eda {ruleset, rule, event}; multi match → events", async () => {
    const out = join(dir, "single.json");
    const single = actionCtx({ name: "run_playbook", args: { name: pb("record-eda-vars.yml"), extra_vars: { out_file: out, label: "gpu" } }, matching: { m: { i: 1, nested: { list: [1, "two", null, true] } } } });
    const res = await runPlaybookAction.run(single.ctx);
    assert.equal(res.ok, true, res.message);
    assert.deepEqual(JSON.parse(readFileSync(out, "utf8")), {
      ansible_eda: { ruleset: "rs", rule: "r1", event: single.ctx.intent.matchingEvents.m },
      label: "gpu",
    });

    const outMulti = join(dir, "multi.json");
    const multi = actionCtx({ name: "run_playbook", args: { name: pb("record-eda-vars.yml"), extra_vars: { out_file: outMulti } }, matching: { m_0: { i: 1 }, m_1: { j: 2 } } });
    assert.equal((await runPlaybookAction.run(multi.ctx)).ok, true);
    const got = JSON.parse(readFileSync(outMulti, "utf8")) as { ansible_eda: Record<string, unknown> };
    assert.deepEqual(got.ansible_eda, { ruleset: "rs", rule: "r1", events: multi.ctx.intent.matchingEvents });
    assert.equal("event" in got.ansible_eda, false);
  });

  test("event data reaches the playbook as literal data: no shell, no Jinja evaluation", async () => {
    const marker = join(dir, "pwned");
    const payloads = {
      subshell: `$(touch ${marker})`,
      semicolon: `; rm -rf ${dir}/nothing; touch ${marker}`,
      backticks: `\`touch ${marker}\``,
      newline: `line1\ntouch ${marker}\n`,
      jinja: `{{ lookup('pipe', 'touch ${marker}') }}`,
      jinjaBlock: `{% set x = lookup('pipe', 'touch ${marker}') %}`,
    };
    const out = join(dir, "hostile.json");
    const { ctx } = actionCtx({
      name: "run_playbook",
      // The rendered extra var holds event data too (what `{{ event.jinja }}` in a rulebook gives).
      args: { name: pb("record-eda-vars.yml"), extra_vars: { out_file: out, label: payloads.jinja } },
      matching: { m: { payload: payloads } },
    });
    const res = await runPlaybookAction.run(ctx);
    assert.equal(res.ok, true, res.message);
    const got = JSON.parse(readFileSync(out, "utf8")) as { ansible_eda: { event: { payload: unknown } }; label: string };
    assert.deepEqual(got.ansible_eda.event.payload, payloads, "the playbook saw the exact strings");
    assert.equal(got.label, payloads.jinja);
    assert.equal(existsSync(marker), false, "nothing was executed");

    // run_module: module arguments carrying event data are not templated either.
    const mod = actionCtx({ name: "run_module", args: { name: "ansible.builtin.debug", module_args: { msg: payloads.jinja }, post_events: true } });
    const r2 = await runModuleAction.run(mod.ctx);
    assert.equal(r2.ok, true, r2.message);
    assert.equal((r2.commands?.[0] as { event?: { msg?: string } } | undefined)?.event?.msg, payloads.jinja);
    const free = actionCtx({ name: "run_module", args: { name: "ansible.builtin.command", module_args: `echo ${payloads.jinja} ${payloads.subshell}` } });
    assert.equal((await runModuleAction.run(free.ctx)).ok, true);
    assert.equal(existsSync(marker), false, "nothing was executed");
  });

  test("failure: ansible.builtin.fail → ok false, HB_ERR_ACTION_FAILED, rc 2, status failed", async () => {
    const { ctx, progress } = actionCtx({ name: "run_playbook", args: { name: pb("always-fail.yml") } });
    const res = await runPlaybookAction.run(ctx);
    assert.equal(res.ok, false);
    assert.equal(res.code, "HB_ERR_ACTION_FAILED");
    assert.equal(res.data?.rc, 2);
    assert.equal(res.data?.status, "failed");
    assert.deepEqual(progress, [{ task: "fail", host: "localhost", status: "failed", action: "ansible.builtin.fail", attempt: 1 }]);
  });

  test("retries: attempts = 1 + retries; a playbook failing once succeeds on the second attempt", async () => {
    const once = actionCtx({ name: "run_playbook", args: { name: pb("fail-once.yml"), extra_vars: { marker: join(dir, "m1") } } });
    const r1 = await runPlaybookAction.run(once.ctx);
    assert.equal(r1.ok, false, "no retries: the first failure is final");
    assert.equal(r1.data?.attempts, 1);

    const retried = actionCtx({ name: "run_playbook", args: { name: pb("fail-once.yml"), extra_vars: { marker: join(dir, "m2") }, retries: 2, delay: 0 } });
    const r2 = await runPlaybookAction.run(retried.ctx);
    assert.equal(r2.ok, true, r2.message);
    assert.equal(r2.data?.attempts, 2, "stops after the first success");
    assert.deepEqual([...new Set(retried.progress.map((p) => p.attempt))], [1, 2]);
    assert.ok(retried.progress.some((p) => p.attempt === 1 && p.status === "failed"));

    const flag = actionCtx({ name: "run_playbook", args: { name: pb("fail-once.yml"), extra_vars: { marker: join(dir, "m3") }, retry: true } });
    const r3 = await runPlaybookAction.run(flag.ctx);
    assert.equal(r3.ok, true, "retry: true means one retry");
    assert.equal(r3.data?.attempts, 2);
  });

  test("--limit comes from the intent's hosts (none for all); inventory from integrations.ansible", async () => {
    const inventory = join(dir, "hosts.ini");
    writeFileSync(inventory, "[gpu]\ngpu-a ansible_connection=local ansible_python_interpreter=\"{{ ansible_playbook_python }}\"\ngpu-b ansible_connection=local ansible_python_interpreter=\"{{ ansible_playbook_python }}\"\n");
    const integrations = { ansible: { inventory } };
    const limited = actionCtx({ name: "run_playbook", args: { name: pb("hello-stats.yml") }, hosts: ["gpu-b"], integrations });
    const r1 = await runPlaybookAction.run(limited.ctx);
    assert.equal(r1.ok, true, r1.message);
    assert.equal(r1.data?.limit, "gpu-b");
    assert.deepEqual(Object.keys(r1.data?.stats as object), ["gpu-b"]);
    assert.deepEqual([...new Set(limited.progress.map((p) => p.host))], ["gpu-b"]);

    const all = actionCtx({ name: "run_playbook", args: { name: pb("hello-stats.yml") }, hosts: ["all"], integrations });
    const r2 = await runPlaybookAction.run(all.ctx);
    assert.equal(r2.data?.limit, undefined);
    assert.deepEqual(Object.keys(r2.data?.stats as object), ["gpu-a", "gpu-b"]);

    const fileLimit = actionCtx({ name: "run_playbook", args: { name: pb("hello-stats.yml") }, hosts: ["@/etc/hosts"], integrations });
    assert.equal((await runPlaybookAction.run(fileLimit.ctx)).code, "HB_ERR_ACTION_ARGS", "a limit read from a file is refused");
  });

  test("verbosity adds -v flags; json_mode switches the stdout callback to json", async () => {
    const v = actionCtx({ name: "run_playbook", args: { name: pb("hello-stats.yml"), verbosity: 2 } });
    const r1 = await runPlaybookAction.run(v.ctx);
    assert.match(String(r1.data?.stdout), /ansible-playbook \[core/);
    // Callbacks a project enables keep working beside ours (ours needs no enabling).
    const j = actionCtx({ name: "run_playbook", args: { name: pb("hello-stats.yml"), json_mode: true }, integrations: { ansible: { env: { ANSIBLE_CALLBACKS_ENABLED: "ansible.builtin.default" } } } });
    const r2 = await runPlaybookAction.run(j.ctx);
    assert.equal(r2.ok, true);
    assert.ok((JSON.parse(String(r2.data?.stdout)) as { plays: unknown[] }).plays.length === 1);
    assert.equal(j.progress.length, 2, "progress still comes from the hookbook callback");
  });

  test("unknown playbook, missing ansible-playbook and timeouts fail with their codes", async () => {
    const nf = actionCtx({ name: "run_playbook", args: { name: "actions/playbooks/no-such.yml" } });
    assert.equal((await runPlaybookAction.run(nf.ctx)).code, "HB_ERR_ACTION_ARGS");
    const noBin = actionCtx({ name: "run_playbook", args: { name: pb("hello-stats.yml") }, integrations: { ansible: { ansible_playbook: "no-such-ansible-playbook" } } });
    assert.equal((await runPlaybookAction.run(noBin.ctx)).code, "HB_ERR_COMMAND_NOT_FOUND");
    const slow = actionCtx({ name: "run_module", args: { name: "ansible.builtin.wait_for", module_args: { timeout: 30 } }, commandTimeoutMs: 2_500 });
    const started = Date.now();
    const res = await runModuleAction.run(slow.ctx);
    assert.equal(res.ok, false);
    assert.equal(res.timedOut, true);
    assert.equal(res.code, "HB_ERR_ACTION_TIMEOUT");
    assert.ok(Date.now() - started < 15_000);

    const ac = new AbortController();
    const canceled = actionCtx({ name: "run_module", args: { name: "ansible.builtin.wait_for", module_args: { timeout: 30 } }, signal: ac.signal });
    setTimeout(() => ac.abort(), 1_500);
    const r2 = await runModuleAction.run(canceled.ctx);
    assert.equal(r2.ok, false);
    assert.equal(r2.timedOut, undefined);
    assert.match(String(r2.message), /canceled/);
  });
});

describe("run_module with the real ansible-playbook", () => {
  test("debug module + post_events: the module result becomes an event (reference §7.3 row 22)", async () => {
    const { ctx, progress } = actionCtx({ name: "run_module", args: { name: "ansible.builtin.debug", module_args: { msg: "hello {{ who }}" }, post_events: true, set_facts: true } });
    const res = await runModuleAction.run(ctx);
    assert.equal(res.ok, true, res.message);
    assert.equal(res.data?.module, "ansible.builtin.debug");
    assert.equal(res.data?.rc, 0);
    assert.deepEqual(progress.map((p) => p.task), ["ansible.builtin.debug", "hookbook module_result"]);
    assert.deepEqual(res.commands?.map((c) => c.kind), ["set_fact", "post_event"]);
    const ev = res.commands?.[1] as { event: Record<string, unknown>; source: string; ruleset: string };
    assert.equal(ev.event.msg, "hello {{ who }}", "module args are literal");
    assert.equal(ev.event.changed, false);
    assert.equal(ev.source, "run_module");
    assert.equal(ev.ruleset, "rs");
  });

  test("missing module → rc 4; bad module args → rc 2; fail with retry runs twice (rows 23)", async () => {
    const missing = actionCtx({ name: "run_module", args: { name: "no.such.module_xyz", module_args: {} } });
    const r1 = await runModuleAction.run(missing.ctx);
    assert.equal(r1.ok, false);
    assert.equal(r1.data?.rc, 4);
    assert.equal(r1.data?.status, "failed");
    const bad = actionCtx({ name: "run_module", args: { name: "ansible.builtin.file", module_args: { bogus: 1 } } });
    const r2 = await runModuleAction.run(bad.ctx);
    assert.equal(r2.ok, false);
    assert.equal(r2.data?.rc, 2);
    const fail = actionCtx({ name: "run_module", args: { name: "ansible.builtin.fail", module_args: { msg: "no" }, retry: true, delay: 0 } });
    const r3 = await runModuleAction.run(fail.ctx);
    assert.equal(r3.data?.rc, 2);
    assert.equal(r3.data?.attempts, 2);
    assert.equal(fail.progress.length, 2);
    const injected = actionCtx({ name: "run_module", args: { name: "debug: {msg: x}\n- shell" } });
    assert.equal((await runModuleAction.run(injected.ctx)).code, "HB_ERR_ACTION_ARGS", "only module names become task keys");
  });
});

describe("through the ActionRunner", () => {
  test("registered: progress outcomes, rc in the audit record, commands returned", async () => {
    const { runner, outcomes } = testRunner();
    const { ctx } = actionCtx({ name: "run_playbook", args: {} });
    const { records, commands } = await runner.runWithCommands({
      ...ctx.intent,
      actions: [{ name: "run_playbook", index: 0, args: { name: pb("hello-stats.yml"), set_facts: true } }],
    });
    assert.equal(records[0]?.status, "successful");
    assert.equal(records[0]?.rc, 0);
    assert.deepEqual(outcomes.map((o) => o.type), ["action.started", "action.progress", "action.progress", "action.succeeded"]);
    assert.deepEqual(commands, [{ kind: "set_fact", ruleset: "rs", fact: { greeting: "hello", rule: "r1" }, source: "run_playbook" }]);
  });
});
