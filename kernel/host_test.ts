import assert from "node:assert/strict";
import { commandOutput, hostPrerequisites } from "./host.ts";

Deno.test("hostPrerequisites() names every reason a host cannot be certified", async () => {
  const check = await hostPrerequisites("/nonexistent/src");
  assert.equal(check.release, await commandOutput("uname", ["-r"]));
  const [major, minor] = check.release.split(/[.-]/).map(Number);
  const old = !(major > 7 || (major === 7 && minor >= 1));
  assert.equal(
    check.problems.some((p) => /older than 7\.1, which added queue-create/.test(p)),
    old,
  );
  for (const p of check.problems) {
    assert.match(p, /^(kernel|not running|netdevsim|netkit|\/usr\/bin\/python3|no kernel source)/);
  }
});

Deno.test("commandOutput() returns the trimmed output, or empty for a missing command", async () => {
  assert.equal(await commandOutput("echo", ["  hi  "]), "hi");
  assert.equal(await commandOutput("/no/such/command", []), "");
});
