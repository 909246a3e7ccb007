/**
 * What `_browser_driver.ts` reports about a report page (its stdout, one JSON line), kept apart
 * so the test reads it without loading playwright.
 *
 * @module
 */

/** What the driver saw. */
export interface Observation {
  /** Text of the verdict banner. */
  verdict: string;
  /** Rows of the fact coverage table. */
  factRows: number;
  /** Text of the fact rows, by fact id, for the ids asked for. */
  facts: Record<string, string>;
  /** `#step-position` text: at load, after clicking next, after →, at the last step. */
  positions: string[];
  /** `data-step` of the row marked `aria-current` after clicking next. */
  currentAfterClick: string | null;
  /** `#step-title` after clicking next. */
  titleAfterClick: string;
  /** Lease arrows in the drawing at the last step. */
  leaseArrows: number;
  /** One-way or dangling lease arrows at the last step. */
  brokenArrows: number;
  /** Text of the Scope section (`#scope`), empty when the page has none. */
  scope: string;
  /** Page errors and console errors. */
  errors: string[];
}
