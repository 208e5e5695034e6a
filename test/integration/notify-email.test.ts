import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, test } from "node:test";
import { SMTPServer } from "smtp-server";
import { notifyAction } from "../../src/actions/notify/notify.js";
import { runAction, secretsAbsent } from "./action-stubs.js";

interface Captured {
  readonly from: string;
  readonly to: string[];
  readonly user: string | undefined;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const PASSWORD = "smtp-pa55-s3cret";
const mails: Captured[] = [];
let server: SMTPServer;
let port = 0;
let rejectRcpt = false;

/** Headers (unfolded, lower-case names) and body of a raw RFC 5322 message. */
function parse(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  const headers: Record<string, string> = {};
  for (const line of head.split("\r\n")) {
    const i = line.indexOf(":");
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body: raw.slice(split + 4).replace(/\r\n$/, "") };
}

before(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === "alerts" && auth.password === PASSWORD) cb(null, { user: auth.username });
      else cb(new Error("Invalid username or password"));
    },
    onRcptTo(address, _session, cb) {
      if (rejectRcpt) cb(Object.assign(new Error("mailbox unavailable"), { responseCode: 550 }));
      else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const { headers, body } = parse(Buffer.concat(chunks).toString("utf8"));
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === "string" ? session.user : undefined,
          headers,
          body,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  mails.length = 0;
  rejectRcpt = false;
});

const smtp = (extra: Record<string, unknown> = {}) => ({ smtp: { host: "127.0.0.1", port, secure: false, from: "hookbook <hookbook@gpu.example>", ...extra } });
const event = { alert: { labels: { node: "gpu-7", xid: "79" } } };

describe("notify: email over SMTP (nodemailer → smtp-server on loopback)", () => {
  test("sends from/to/subject/text; the result carries the message id and accepted recipients", async () => {
    const res = await runAction(notifyAction, { args: { channel: "email", to: ["oncall@gpu.example", "sre@gpu.example"], subject: "Xid 79 on gpu-7", text: "Node gpu-7 reported Xid 79.\nIt is being drained." }, integrations: smtp(), event });
    assert.equal(res.ok, true, res.message);
    assert.equal(mails.length, 1);
    const mail = mails[0]!;
    assert.equal(mail.from, "hookbook@gpu.example");
    assert.deepEqual(mail.to, ["oncall@gpu.example", "sre@gpu.example"]);
    assert.equal(mail.user, undefined);
    assert.equal(mail.headers.from, "hookbook <hookbook@gpu.example>");
    assert.equal(mail.headers.to, "oncall@gpu.example, sre@gpu.example");
    assert.equal(mail.headers.subject, "Xid 79 on gpu-7");
    assert.match(mail.headers["content-type"] ?? "", /^text\/plain/);
    assert.equal(mail.body, "Node gpu-7 reported Xid 79.\r\nIt is being drained.");
    assert.equal(res.data?.via, "smtp");
    assert.deepEqual(res.data?.accepted, ["oncall@gpu.example", "sre@gpu.example"]);
    assert.match(String(res.data?.message_id), /^<.+@gpu\.example>$/);
  });

  test("authenticates with user/password; a template gives subject and text; default recipients from settings", async () => {
    const integrations = {
      ...smtp({ user: "alerts", password: PASSWORD, to: "gpu-team@gpu.example" }),
      notify: { templates: { xid: { subject: "Xid {{ event.alert.labels.xid }} on {{ event.alert.labels.node }}", text: "Cordoned {{ event.alert.labels.node }}." } } },
    };
    const res = await runAction(notifyAction, { args: { channel: "email", template: "xid" }, integrations, event });
    assert.equal(res.ok, true, res.message);
    const mail = mails[0]!;
    assert.equal(mail.user, "alerts");
    assert.deepEqual(mail.to, ["gpu-team@gpu.example"]);
    assert.equal(mail.headers.subject, "Xid 79 on gpu-7");
    assert.equal(mail.body, "Cordoned gpu-7.");
    assert.equal(secretsAbsent(res, [PASSWORD]), undefined);
  });

  test("subject defaults to the first line of the text", async () => {
    await runAction(notifyAction, { args: { channel: "email", to: "a@gpu.example", text: "first line\nsecond" }, integrations: smtp(), event });
    assert.equal(mails[0]?.headers.subject, "first line");
  });

  test("wrong password → permanent failure, password absent from the result", async () => {
    const res = await runAction(notifyAction, { args: { channel: "email", to: "a@gpu.example", text: "x" }, integrations: smtp({ user: "alerts", password: "wrong-pa55word" }), event });
    assert.equal(res.ok, false);
    assert.equal(res.code, "HB_ERR_ACTION_FAILED");
    assert.equal(res.data?.smtp_code, "EAUTH");
    assert.equal(res.data?.retry, "permanent");
    assert.equal(secretsAbsent(res, ["wrong-pa55word"]), undefined);
    assert.equal(mails.length, 0);
  });

  test("every recipient rejected (550) → permanent failure; no recipient → HB_ERR_ACTION_ARGS; no server → transient", async () => {
    rejectRcpt = true;
    const rejected = await runAction(notifyAction, { args: { channel: "email", to: "gone@gpu.example", text: "x" }, integrations: smtp(), event });
    assert.equal(rejected.ok, false);
    assert.equal(rejected.data?.retry, "permanent");
    rejectRcpt = false;

    const noTo = await runAction(notifyAction, { args: { channel: "email", text: "x" }, integrations: smtp(), event });
    assert.equal(noTo.code, "HB_ERR_ACTION_ARGS");

    const down = await runAction(notifyAction, { args: { channel: "email", to: "a@gpu.example", text: "x" }, integrations: { smtp: { host: "127.0.0.1", port: 1, from: "h@gpu.example" } }, event });
    assert.equal(down.ok, false);
    assert.equal(down.data?.retry, "transient");
    assert.equal(mails.length, 0);
  });
});
