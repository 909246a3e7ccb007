/**
 * The mutants of the model, one file each: bugs.md section C, one line per mutant. Each file
 * exports one `Mutant` (`../hooks.ts`: the hook points it patches, the environment actions it adds,
 * its kill-table check, what replay can see of it); `../mutants.ts` turns this list into the
 * catalogue `MUTANTS`. To add a mutant, see README.md beside this file.
 *
 * @module
 */

export { C01 } from "./c01.ts";
export { C02 } from "./c02.ts";
export { C03 } from "./c03.ts";
export { C04 } from "./c04.ts";
export { C05 } from "./c05.ts";
export { C06 } from "./c06.ts";
export { C07 } from "./c07.ts";
export { C08 } from "./c08.ts";
export { C09 } from "./c09.ts";
export { C10 } from "./c10.ts";
export { C11 } from "./c11.ts";
export { C12 } from "./c12.ts";
export { C13 } from "./c13.ts";
export { C14 } from "./c14.ts";
export { C15 } from "./c15.ts";
export { C16 } from "./c16.ts";
export { C17 } from "./c17.ts";
export { C18 } from "./c18.ts";
export { C19 } from "./c19.ts";
export { C20 } from "./c20.ts";
export { C21 } from "./c21.ts";
export { C22 } from "./c22.ts";
export { C23 } from "./c23.ts";
export { C24 } from "./c24.ts";
export { C25 } from "./c25.ts";
export { C26 } from "./c26.ts";
export { C27 } from "./c27.ts";
export { C28 } from "./c28.ts";
export { C29 } from "./c29.ts";
export { C30 } from "./c30.ts";
export { C31 } from "./c31.ts";
export { C32 } from "./c32.ts";
export { C33 } from "./c33.ts";
export { C34 } from "./c34.ts";
export { C35 } from "./c35.ts";
export { C36 } from "./c36.ts";
export { C37 } from "./c37.ts";
export { C38 } from "./c38.ts";
export { C39 } from "./c39.ts";
export { C40 } from "./c40.ts";
export { C41 } from "./c41.ts";
export { C42 } from "./c42.ts";
export { C43 } from "./c43.ts";
export { C44 } from "./c44.ts";
export { C45 } from "./c45.ts";
export { C46 } from "./c46.ts";
