/**
 * The scenario format's view of the operation catalogue (`spec/operations.json`, typed by
 * `spec/operations.ts`): every operation a step may name, its request and reply attribute sets,
 * and the sets the parser treats specially. The parser, the JSON schema and the adapters read
 * this one table; the model and the kernel agent read the same catalogue.
 *
 * @module
 */

import { ATTR_SETS, type AttrSet } from "../spec/operations.ts";

export {
  ATTR_SETS,
  type AttrSet,
  type AttrSpec,
  OP_NAMES,
  OPERATIONS,
  type OpName,
  type OpSpec,
  type SymbolKind,
  type YnlOp,
} from "../spec/operations.ts";

function named(name: string): AttrSet {
  const set = ATTR_SETS.get(name);
  if (set === undefined) throw new TypeError(`The operation catalogue has no set "${name}"`);
  return set;
}

/** rt-link `linkinfo-attrs` (`kind`, and `data` for kind netkit). */
export const LINKINFO_SET: AttrSet = named("linkinfo-attrs");

/** rt-link NEWLINK request attributes (also a link in a scenario topology). */
export const NEWLINK_SET: AttrSet = named("link-attrs");

/** The reply set used when an operation only acknowledges. */
export const ACK_SET: AttrSet = { name: "ack", attrs: {}, raw: false };
