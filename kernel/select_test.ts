/**
 * Kernel selection without a kernel: fake `kernel/prepare.sh` caches (empty files named like a
 * build) and fake kernel trees for `prepare.sh --tree PATH --key`. These tests use a temporary
 * directory and run bash: they need --allow-run, --allow-read, --allow-write and --allow-env.
 */
import assert from "node:assert/strict";
import { fakeBuild } from "./_test_util.ts";
import { fileURLToPath } from "node:url";
import {
  compareDebianVersions,
  KernelSelectionError,
  listKernels,
  selectKernels,
  treeBuild,
} from "./vm.ts";
import { buildInfo } from "./open.ts";

const PREPARE = fileURLToPath(new URL("./prepare.sh", import.meta.url));

async function withCache(fn: (cache: string) => Promise<void>): Promise<void> {
  const cache = await Deno.makeTempDir({ prefix: "leasecheck-cache-" });
  try {
    await fn(cache);
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
}

const debian = (series: string, version: string, suite: string) => ({
  origin: "debian",
  package: `linux-source-${series}`,
  series,
  version,
  suite,
  release: version.replace(/-.*/, "").replace(/~.*/, ""),
});

Deno.test("compareDebianVersions agrees with dpkg on the orders that matter here", () => {
  const sorted = [
    "7.2.9-1~bpo13+1",
    "7.2.12-1~bpo13+1",
    "7.2.12-1",
    "7.2.13-1",
    "7.3~rc7-1~exp1",
    "7.3.4-1~bpo13+1",
    "7.3.4-1",
    "7.10.1-1",
  ];
  const shuffled = [...sorted].reverse();
  assert.deepEqual(shuffled.sort(compareDebianVersions), sorted);
});

Deno.test("selectKernels picks the newest build of a series, exact versions, folders and all", async () => {
  await withCache(async (cache) => {
    // The first cache layout: no build.info, the source tree under src/KEY.
    await Deno.mkdir(`${cache}/kernel/linux-source-7.2-7.2.13-1`, { recursive: true });
    await Deno.writeTextFile(`${cache}/kernel/linux-source-7.2-7.2.13-1/bzImage`, "fake");
    await Deno.writeTextFile(`${cache}/kernel/linux-source-7.2-7.2.13-1/initramfs.cpio.gz`, "x");
    await Deno.mkdir(`${cache}/src/linux-source-7.2-7.2.13-1/tools/net/ynl/pyynl/lib`, {
      recursive: true,
    });
    await Deno.writeTextFile(
      `${cache}/src/linux-source-7.2-7.2.13-1/tools/net/ynl/pyynl/lib/ynl.py`,
      "",
    );
    await fakeBuild(
      cache,
      "linux-source-7.2-7.2.12-1_bpo13+1",
      debian("7.2", "7.2.12-1~bpo13+1", "trixie-backports"),
    );
    await fakeBuild(
      cache,
      "linux-source-7.3-7.3.4-1_bpo13+1",
      debian("7.3", "7.3.4-1~bpo13+1", "trixie-backports"),
    );
    await fakeBuild(cache, "tree-v7.3-rc1-5-gabcdef123456", {
      origin: "tree",
      tree: "/src/net-next",
      "key-source": "git",
      version: "7.3.0-rc1",
      series: "7.3",
      "build-seconds": "600",
    });
    // Incomplete builds are not builds.
    await Deno.mkdir(`${cache}/kernel/linux-source-7.4-7.4.1-1`, { recursive: true });
    await Deno.writeTextFile(`${cache}/kernel/linux-source-7.4-7.4.1-1/bzImage`, "half");

    const all = await listKernels(cache);
    assert.deepEqual(all.map((b) => b.key), [
      "linux-source-7.3-7.3.4-1_bpo13+1",
      "linux-source-7.2-7.2.13-1",
      "linux-source-7.2-7.2.12-1_bpo13+1",
      "tree-v7.3-rc1-5-gabcdef123456",
    ]);
    const legacy = all[1];
    assert.equal(legacy.version, "7.2.13-1");
    assert.equal(legacy.series, "7.2");
    assert.equal(legacy.paths.src, `${cache}/src/linux-source-7.2-7.2.13-1`);
    assert.equal(all[0].paths.src, `${cache}/kernel/linux-source-7.3-7.3.4-1_bpo13+1/src`);

    const keys = async (spec: string): Promise<string[]> =>
      (await selectKernels(spec, cache)).map((b) => b.key);
    assert.deepEqual(await keys("7.2"), ["linux-source-7.2-7.2.13-1"]);
    assert.deepEqual(await keys("7.2.12"), ["linux-source-7.2-7.2.12-1_bpo13+1"]);
    assert.deepEqual(await keys("7.3.4-1~bpo13+1"), ["linux-source-7.3-7.3.4-1_bpo13+1"]);
    assert.deepEqual(await keys("7.3,7.2,7.3"), [
      "linux-source-7.3-7.3.4-1_bpo13+1",
      "linux-source-7.2-7.2.13-1",
    ]);
    // all: every Debian build, oldest first; a tree only when named.
    assert.deepEqual(await keys("all"), [
      "linux-source-7.2-7.2.12-1_bpo13+1",
      "linux-source-7.2-7.2.13-1",
      "linux-source-7.3-7.3.4-1_bpo13+1",
    ]);
    assert.deepEqual(await keys(`${cache}/kernel/tree-v7.3-rc1-5-gabcdef123456/`), [
      "tree-v7.3-rc1-5-gabcdef123456",
    ]);
    assert.deepEqual(await keys("tree-v7.3-rc1-5-gabcdef123456"), [
      "tree-v7.3-rc1-5-gabcdef123456",
    ]);

    await assert.rejects(
      selectKernels("7.4", cache),
      (e: unknown) =>
        e instanceof KernelSelectionError && e.notBuilt &&
        e.message ===
          "no build of Linux 7.4 (built: 7.3.4-1~bpo13+1, 7.2.13-1, 7.2.12-1~bpo13+1, " +
            "tree-v7.3-rc1-5-gabcdef123456): run kernel/prepare.sh --kernel 7.4",
    );
    await assert.rejects(
      selectKernels("seven", cache),
      (e: unknown) => e instanceof KernelSelectionError && !e.notBuilt,
    );
    await assert.rejects(
      selectKernels(`${cache}/kernel/linux-source-7.4-7.4.1-1`, cache),
      /is not a kernel build folder/,
    );
    assert.deepEqual(buildInfo(all[0]), {
      "kernel build": "linux-source-7.3-7.3.4-1_bpo13+1",
      "kernel version": "7.3.4-1~bpo13+1",
      "kernel source": "Debian linux-source-7.3 7.3.4-1~bpo13+1 (trixie-backports)",
    });
    assert.equal(buildInfo(all[3])["kernel build time"], "600 s");
  });
});

/** A directory that passes prepare.sh's checks for a kernel tree. */
async function fakeTree(dir: string): Promise<void> {
  await Deno.mkdir(`${dir}/arch/x86`, { recursive: true });
  await Deno.mkdir(`${dir}/tools/net/ynl/pyynl/lib`, { recursive: true });
  await Deno.mkdir(`${dir}/Documentation/netlink/specs`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/Makefile`,
    "VERSION = 7\nPATCHLEVEL = 3\nSUBLEVEL = 0\nEXTRAVERSION = -rc2\nNAME = Baby Opossum Posse\n",
  );
  await Deno.writeTextFile(`${dir}/Kconfig`, "");
  await Deno.writeTextFile(`${dir}/tools/net/ynl/pyynl/lib/ynl.py`, "");
  await Deno.writeTextFile(`${dir}/Documentation/netlink/specs/netdev.yaml`, "");
}

async function key(
  tree: string,
  cache: string,
): Promise<{ code: number; out: string; err: string }> {
  const o = await new Deno.Command("bash", {
    args: [PREPARE, "--tree", tree, "--key"],
    env: { LEASECHECK_CACHE: cache },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: o.code, out: d.decode(o.stdout).trim(), err: d.decode(o.stderr).trim() };
}

/** Every file of a tree (its .git too) with a hash of its bytes, to show a run changed nothing. */
async function snapshot(dir: string, rel = ""): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of Deno.readDir(`${dir}/${rel}`)) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) { for (const [k, v] of await snapshot(dir, path)) out.set(k, v); }
    else {
      const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(`${dir}/${path}`));
      out.set(path, Array.from(new Uint8Array(digest), (b) => b.toString(16)).join(""));
    }
  }
  return out;
}

Deno.test("prepare.sh --tree --key: a content hash without git, changing with the content", async () => {
  await withCache(async (cache) => {
    const tree = `${cache}/tree`;
    await fakeTree(tree);
    const first = await key(tree, cache);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /^tree-7\.3\.0-rc2-content-[0-9a-f]{12}$/);
    assert.equal((await key(tree, cache)).out, first.out);
    await Deno.writeTextFile(`${tree}/Kconfig`, "config LC\n");
    const second = await key(tree, cache);
    assert.match(second.out, /^tree-7\.3\.0-rc2-content-[0-9a-f]{12}$/);
    assert.notEqual(second.out, first.out);

    // certify's lookup: not built yet, then built.
    await assert.rejects(
      treeBuild(tree, { cache }),
      (e: unknown) =>
        e instanceof KernelSelectionError && e.notBuilt &&
        e.message ===
          `${tree} is not built in its current state (${second.out}): run kernel/prepare.sh --tree ${tree}`,
    );
    await fakeBuild(cache, second.out, { origin: "tree", tree, "key-source": "content" });
    const build = await treeBuild(tree, { cache });
    assert.equal(build.key, second.out);
    assert.equal(build.origin, "tree");
    await assert.rejects(
      treeBuild(`${cache}/kernel`, { cache }),
      /is not a Linux kernel source tree/,
    );
  });
});

Deno.test("prepare.sh --tree --key: git describe plus a hash of uncommitted changes; the tree is not written", async () => {
  await withCache(async (cache) => {
    const tree = `${cache}/tree`;
    await fakeTree(tree);
    const git = async (...args: string[]): Promise<string> => {
      const o = await new Deno.Command("git", {
        args: ["-C", tree, ...args],
        env: {
          GIT_AUTHOR_NAME: "t",
          GIT_AUTHOR_EMAIL: "t@example.org",
          GIT_COMMITTER_NAME: "t",
          GIT_COMMITTER_EMAIL: "t@example.org",
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(o.code, 0, new TextDecoder().decode(o.stderr));
      return new TextDecoder().decode(o.stdout).trim();
    };
    await git("init", "-q");
    await git("add", "-A");
    await git("commit", "-q", "-m", "base");
    await git("tag", "v7.3-rc2");
    const clean = await key(tree, cache);
    assert.equal(clean.code, 0, clean.err);
    assert.equal(clean.out, "tree-v7.3-rc2");

    await Deno.writeTextFile(`${tree}/Kconfig`, "config LC\n");
    const before = await snapshot(tree);
    const dirty = await key(tree, cache);
    assert.match(dirty.out, /^tree-v7\.3-rc2-dirty-[0-9a-f]{12}$/);
    assert.deepEqual(await snapshot(tree), before, "--key wrote into the tree or its .git");
    await Deno.writeTextFile(`${tree}/new.c`, "int x;\n");
    const untracked = await key(tree, cache);
    assert.match(untracked.out, /^tree-v7\.3-rc2-dirty-[0-9a-f]{12}$/);
    assert.notEqual(untracked.out, dirty.out);

    await git("commit", "-q", "-a", "-m", "patch");
    await Deno.remove(`${tree}/new.c`);
    const commit = await git("rev-parse", "--short=12", "HEAD");
    assert.equal((await key(tree, cache)).out, `tree-v7.3-rc2-1-g${commit}`);
  });
});

Deno.test("prepare.sh refuses a tree built in place, and bad arguments, with one clear line", async () => {
  await withCache(async (cache) => {
    const tree = `${cache}/tree`;
    await fakeTree(tree);
    await Deno.writeTextFile(`${tree}/.config`, "CONFIG_X=y\n");
    const run = async (...args: string[]) => {
      const o = await new Deno.Command("bash", {
        args: [PREPARE, ...args],
        env: { LEASECHECK_CACHE: cache },
        stdout: "piped",
        stderr: "piped",
      }).output();
      return { code: o.code, err: new TextDecoder().decode(o.stderr) };
    };
    const built = await run("--tree", tree);
    assert.equal(built.code, 1);
    assert.match(
      built.err,
      /has been configured or built in place .* run `make mrproper` there yourself/,
    );
    assert.equal(await Deno.readTextFile(`${tree}/.config`), "CONFIG_X=y\n");
    const bad = await run("--kernel", "seven");
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^kernel\/prepare.sh: --kernel takes a series such as 7.3/);
    assert.equal((await run("--key")).code, 2);
    assert.equal((await run("--kernel", "7.3", "--tree", tree)).code, 2);
  });
});
