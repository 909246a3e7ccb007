/**
 * Every spec the command line and the parallel workers can build by name: the examples (and,
 * as it lands, the device model). Workers import this module by URL, so it must stay free of
 * side effects.
 *
 * @module
 */

import type { SpecEntry } from "./checker/registry.ts";
import { EXAMPLE_SPECS } from "./examples/mod.ts";

/** Every registered spec. */
export const SPECS: readonly SpecEntry[] = [...EXAMPLE_SPECS];
