/**
 * Every spec the command line and the parallel workers can build by name: the device model and
 * the engine's examples. Workers import this module by URL, so it must stay free of
 * side effects.
 *
 * @module
 */

import type { SpecEntry } from "./checker/registry.ts";
import { EXAMPLE_SPECS } from "./examples/mod.ts";
import { LEASING_SPEC } from "./model/mod.ts";

/** Every registered spec: the device model first, then the engine's examples. */
export const SPECS: readonly SpecEntry[] = [LEASING_SPEC, ...EXAMPLE_SPECS];
