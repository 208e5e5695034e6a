/**
 * provision_gpus on AWS Auto Scaling: the real SDK v3 client with `endpoint` pointed at a local
 * stand-in that answers the Query protocol (form-encoded requests, XML answers).
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { provisionGpusAction } from "../../src/actions/provision/provision-gpus.js";
import type { Harness, Recorded, Reply, StandIn } from "./provision-helpers.js";
import { harness, intent, startStandIn } from "./provision-helpers.js";

const NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

interface Group {
  desired: number;
  min: number;
  max: number;
}

let aws: StandIn;
let groups: Map<string, Group>;
let forced: { action: string; status: number; code: string }[];
let h: Harness;

const xml = (body: string): Reply => ({ status: 200, contentType: "text/xml", body });
const error = (status: number, code: string, message: string): Reply => ({
  status,
  contentType: "text/xml",
  body: `<ErrorResponse xmlns="${NS}"><Error><Type>${status < 500 ? "Sender" : "Receiver"}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
});

function answer(r: Recorded): Reply {
  const form = new URLSearchParams(r.body);
  const action = form.get("Action") ?? "";
  const f = forced.findIndex((x) => x.action === action);
  if (f >= 0) {
    const [x] = forced.splice(f, 1);
    return error(x!.status, x!.code, "forced");
  }
  if (action === "DescribeAutoScalingGroups") {
    const names = [...form.entries()].filter(([k]) => k.startsWith("AutoScalingGroupNames.member.")).map(([, v]) => v);
    const members = names
      .filter((n) => groups.has(n))
      .map((n) => {
        const g = groups.get(n)!;
        return `<member><AutoScalingGroupName>${n}</AutoScalingGroupName><MinSize>${g.min}</MinSize><MaxSize>${g.max}</MaxSize><DesiredCapacity>${g.desired}</DesiredCapacity><DefaultCooldown>300</DefaultCooldown><HealthCheckType>EC2</HealthCheckType><CreatedTime>2025-01-01T00:00:00Z</CreatedTime><AvailabilityZones><member>us-east-1a</member></AvailabilityZones><Instances/></member>`;
      })
      .join("");
    return xml(`<DescribeAutoScalingGroupsResponse xmlns="${NS}"><DescribeAutoScalingGroupsResult><AutoScalingGroups>${members}</AutoScalingGroups></DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>`);
  }
  if (action === "SetDesiredCapacity") {
    const g = groups.get(form.get("AutoScalingGroupName") ?? "");
    if (!g) return error(400, "ValidationError", "AutoScalingGroup name not found");
    const desired = Number(form.get("DesiredCapacity"));
    if (desired > g.max) return error(400, "ValidationError", `New SetDesiredCapacity value ${desired} is above max value ${g.max} for the AutoScalingGroup.`);
    g.desired = desired;
    return xml(`<SetDesiredCapacityResponse xmlns="${NS}"><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></SetDesiredCapacityResponse>`);
  }
  return error(400, "InvalidAction", action);
}

beforeEach(async () => {
  groups = new Map([["gpu-a100", { desired: 4, min: 1, max: 10 }]]);
  forced = [];
  aws = await startStandIn(answer);
  h = harness({ aws: { region: "us-east-1", access_key_id: "AKIDTEST", secret_access_key: "secret", endpoint: aws.url, max_attempts: 1 } });
});
afterEach(() => aws.close());

const forms = () => aws.requests.map((q) => Object.fromEntries(new URLSearchParams(q.body)));
const asg = { provider: "aws", pool: "a100", auto_scaling_group: "gpu-a100" };

describe("provision_gpus / aws", () => {
  test("DescribeAutoScalingGroups, then SetDesiredCapacity with the absolute target and HonorCooldown=false", async () => {
    const r = await h.run(provisionGpusAction, { ...asg, add: 2 });
    assert.equal(r.ok, true, r.message);
    const [describe, set] = forms();
    assert.deepEqual(describe, { Action: "DescribeAutoScalingGroups", Version: "2011-01-01", "AutoScalingGroupNames.member.1": "gpu-a100" });
    assert.deepEqual(set, { Action: "SetDesiredCapacity", Version: "2011-01-01", AutoScalingGroupName: "gpu-a100", DesiredCapacity: "6", HonorCooldown: "false" });
    for (const q of aws.requests) {
      assert.equal(q.method, "POST");
      assert.equal(q.headers["content-type"], "application/x-www-form-urlencoded");
      assert.match(String(q.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/autoscaling\/aws4_request/);
    }
    assert.equal(groups.get("gpu-a100")?.desired, 6);
    assert.deepEqual([r.data?.before, r.data?.after, r.data?.added, r.data?.resource], [4, 6, 2, "AutoScalingGroup gpu-a100"]);
  });

  test("the pool name is the group name by default; set and remove", async () => {
    groups.set("h100", { desired: 3, min: 0, max: 8 });
    assert.equal((await h.run(provisionGpusAction, { provider: "aws", pool: "h100", set: 8 })).ok, true);
    assert.equal(forms()[1]?.DesiredCapacity, "8");
    const r = await h.run(provisionGpusAction, { provider: "aws", pool: "h100", remove: 5 });
    assert.equal(r.ok, true, r.message);
    assert.equal(forms()[3]?.DesiredCapacity, "3");
    assert.deepEqual([r.data?.removed, r.data?.added], [5, 0]);
  });

  test("over MaxSize (or under MinSize): permanent HB_ERR_POOL_LIMIT, SetDesiredCapacity never sent", async () => {
    const over = await h.run(provisionGpusAction, { ...asg, add: 7 });
    assert.equal(over.ok, false);
    assert.equal(over.code, "HB_ERR_POOL_LIMIT");
    assert.match(over.message ?? "", /target 11 is over the pool's max size 10/);
    assert.deepEqual([over.data?.max_size, over.data?.before], [10, 4]);
    const under = await h.run(provisionGpusAction, { ...asg, remove: 4 });
    assert.equal(under.code, "HB_ERR_POOL_LIMIT");
    assert.deepEqual(forms().map((f) => f.Action), ["DescribeAutoScalingGroups", "DescribeAutoScalingGroups"]);
  });

  test("a group that does not exist is a permanent rejection", async () => {
    const r = await h.run(provisionGpusAction, { provider: "aws", pool: "nope", add: 1 });
    assert.equal(r.code, "HB_ERR_PROVIDER_REJECTED");
    assert.match(r.message ?? "", /AutoScalingGroup nope not found/);
  });

  test("error typing: ValidationError/AccessDenied permanent; Throttling, ScalingActivityInProgress, 5xx transient", async () => {
    const cases: [string, number, string, string][] = [
      ["SetDesiredCapacity", 400, "ValidationError", "HB_ERR_PROVIDER_REJECTED"],
      ["DescribeAutoScalingGroups", 403, "AccessDenied", "HB_ERR_PROVIDER_REJECTED"],
      ["DescribeAutoScalingGroups", 400, "Throttling", "HB_ERR_ACTION_FAILED"],
      ["SetDesiredCapacity", 400, "ScalingActivityInProgress", "HB_ERR_ACTION_FAILED"],
      ["SetDesiredCapacity", 500, "InternalFailure", "HB_ERR_ACTION_FAILED"],
    ];
    for (const [action, status, code, expected] of cases) {
      forced.push({ action, status, code });
      const r = await h.run(provisionGpusAction, { ...asg, add: 1 });
      assert.equal(r.code, expected, `${action} ${status} ${code}: ${r.message}`);
    }
  });

  test("a retry of the same action sends the same DesiredCapacity", async () => {
    forced.push({ action: "SetDesiredCapacity", status: 500, code: "InternalFailure" });
    const i = intent();
    assert.equal((await h.run(provisionGpusAction, { ...asg, add: 3 }, { intent: i })).code, "HB_ERR_ACTION_FAILED");
    groups.get("gpu-a100")!.desired = 5; // someone else changed it meanwhile
    const r = await h.run(provisionGpusAction, { ...asg, add: 3 }, { intent: i });
    assert.equal(r.ok, true, r.message);
    assert.deepEqual(forms().map((f) => `${f.Action}${f.DesiredCapacity ? `=${f.DesiredCapacity}` : ""}`), ["DescribeAutoScalingGroups", "SetDesiredCapacity=7", "SetDesiredCapacity=7"]);
  });

  test("missing region is a configuration error", async () => {
    const r = await harness({ aws: { endpoint: aws.url } }).run(provisionGpusAction, { ...asg, add: 1 });
    assert.equal(r.code, "HB_ERR_CONFIG_INVALID");
    assert.equal(aws.requests.length, 0);
  });
});
