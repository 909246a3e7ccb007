/**
 * What `deno task test` needs besides Deno, installed before the tests run: Debian's Chromium
 * for the report viewer's browser test (`reports/viewer/browser_test.ts`; playwright-core cannot
 * download browsers here). As root it installs what is missing with apt-get, with progress on
 * stderr; otherwise it names the one command to run and lets the tests run (the browser test
 * then fails with the same message — it never skips).
 *
 * ```
 * deno run --allow-run --allow-read --allow-env tools/provision.ts
 * ```
 *
 * @module
 */

/** One thing the test suite needs from the machine. */
export interface Requirement {
  /** What needs it, for messages. */
  readonly neededBy: string;
  /** The file that must exist. */
  readonly path: string;
  /** The Debian packages that provide it. */
  readonly packages: readonly string[];
}

/** Everything the tests need from the machine. */
export const REQUIREMENTS: readonly Requirement[] = [
  {
    neededBy: "the report viewer's browser test",
    path: "/usr/bin/chromium",
    packages: ["chromium"],
  },
];

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

async function run(command: string, args: string[]): Promise<boolean> {
  const child = new Deno.Command(command, {
    args,
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  return (await child.status).success;
}

/**
 * Installs what is missing (as root) or says what to run; returns the number of requirements
 * still missing afterwards.
 */
export async function provision(
  requirements: readonly Requirement[] = REQUIREMENTS,
  log: (line: string) => void = (line) => console.error(line),
): Promise<number> {
  const missing = requirements.filter((r) => !exists(r.path));
  if (missing.length === 0) return 0;
  const packages = [...new Set(missing.flatMap((r) => r.packages))];
  const what = missing.map((r) => `${r.path} (${r.neededBy})`).join(", ");
  if (!isRoot()) {
    log(
      `test: missing ${what}; install it with: ` +
        `sudo apt-get update && sudo apt-get install -y ${packages.join(" ")}`,
    );
    return missing.length;
  }
  log(`test: installing ${packages.join(" ")} from Debian's packages for ${what}`);
  const ok = await run("apt-get", ["update"]) &&
    await run("apt-get", ["install", "-y", "--no-install-recommends", ...packages]);
  const still = missing.filter((r) => !exists(r.path));
  if (!ok || still.length > 0) {
    log(
      `test: could not install ${packages.join(" ")} (apt-get ${ok ? "succeeded" : "failed"}); ` +
        "the tests that need it will fail and say why",
    );
  } else log(`test: installed ${packages.join(" ")}`);
  return still.length;
}

if (import.meta.main) {
  await provision();
}
