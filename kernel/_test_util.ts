/**
 * Test helpers of the kernel folder (not part of the public API).
 *
 * @module
 */

/**
 * Writes a fake build folder as `kernel/prepare.sh` leaves it: empty files named like a build
 * (bzImage, initramfs, the ynl copy) and, when given, `build.info`.
 */
export async function fakeBuild(
  cache: string,
  key: string,
  info?: Record<string, string>,
): Promise<void> {
  const dir = `${cache}/kernel/${key}`;
  await Deno.mkdir(`${dir}/src/tools/net/ynl/pyynl/lib`, { recursive: true });
  await Deno.writeTextFile(`${dir}/bzImage`, "fake");
  await Deno.writeTextFile(`${dir}/initramfs.cpio.gz`, "fake");
  await Deno.writeTextFile(`${dir}/src/tools/net/ynl/pyynl/lib/ynl.py`, "");
  if (info) {
    await Deno.writeTextFile(
      `${dir}/build.info`,
      Object.entries(info).map(([k, v]) => `${k}=${v}\n`).join(""),
    );
  }
}
