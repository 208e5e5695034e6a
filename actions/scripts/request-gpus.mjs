#!/usr/bin/env node
// Sample action script for the walk-through: records a GPU capacity request as one JSON line.
// Arguments arrive as argv (hookbook never uses a shell), e.g.
//   node actions/scripts/request-gpus.mjs --queue training-a100 --gpu-type a100-80gb --add 2 [--out FILE]
import { appendFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    queue: { type: "string" },
    "gpu-type": { type: "string" },
    add: { type: "string", default: "1" },
    out: { type: "string" },
  },
});
if (!values.queue || !values["gpu-type"]) {
  console.error("usage: request-gpus.mjs --queue Q --gpu-type T [--add N] [--out FILE]");
  process.exit(2);
}
const add = Number(values.add);
if (!Number.isInteger(add) || add < 1) {
  console.error(`--add must be a positive integer, got ${values.add}`);
  process.exit(2);
}
const request = { queue: values.queue, gpu_type: values["gpu-type"], add, requested_at: new Date().toISOString() };
if (values.out) appendFileSync(values.out, JSON.stringify(request) + "\n");
console.log(JSON.stringify(request));
